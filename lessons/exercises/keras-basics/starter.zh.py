"""第 3.1 课：一条直线，作为 Keras 模型。

检查你的函数：            tutor verify keras-basics
用它训练这一课：          tutor run keras-basics --headless --mine
"""


def line_model(keras):
    """一个 keras.Sequential 模型，对一个输入 x 计算 y = w x + b（不编译）。

    keras：Keras 模块（由这一课传进来：用它的 keras.Sequential、
    keras.Input 和 keras.layers.Dense）。
    """
    # TODO: keras.Sequential([...])，以一个数的 keras.Input 开头
    # TODO: 一个 Dense 层，一个单元，没有激活函数
    raise NotImplementedError("写出 line_model(keras)")
