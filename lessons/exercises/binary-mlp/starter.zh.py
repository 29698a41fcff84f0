"""第 3.5 课：合格/不合格分类器。

检查你的函数：            tutor verify binary-mlp
用它训练这一课：          tutor run binary-mlp --headless --mine
"""


def quality_network(keras, hidden):
    """一个 keras.Sequential 模型（不编译）：2 个输入 -> `hidden` 个 sigmoid 神经元 -> 1 个 sigmoid（P(合格)）。

    keras：Keras 模块（由这一课传进来）。
    hidden：隐藏层有多少个神经元。
    """
    # TODO: 为两个测量值写 keras.Input
    # TODO: 一个有 `hidden` 个神经元的 Dense 层，activation 为 "sigmoid"
    # TODO: 一个输出神经元，activation 为 "sigmoid"
    raise NotImplementedError("写出 quality_network(keras, hidden)")
