"""第 3.3 课：给螺旋数据的深层网络。

检查你的函数：            tutor verify deep-spiral
用它训练这一课：          tutor run deep-spiral --headless --mine
"""


def spiral_network(keras, depth, width):
    """一个 keras.Sequential 模型（不编译）：2 个输入 -> `depth` 个宽 `width` 的 ReLU 层 -> 1 个 sigmoid。

    keras：Keras 模块（由这一课传进来）。
    depth：隐藏层的个数；width：每个隐藏层的神经元个数。
    """
    # TODO: 为两个数（一个点的 x 和 y）写 keras.Input
    # TODO: `depth` 个隐藏 Dense 层，每层 `width` 个神经元，activation 为 "relu"
    # TODO: 一个输出神经元，activation 为 "sigmoid"：P(类别 1)
    raise NotImplementedError("写出 spiral_network(keras, depth, width)")
