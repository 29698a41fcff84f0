"""第 4.3 课：LeNet-5。

检查你的函数：            tutor verify lenet5
用它训练这一课：          tutor run lenet5 --headless --mine
"""


def lenet5(keras):
    """LeNet-5，一个 keras.Sequential 模型（不编译），输入 28x28x1 的图像，输出 10 个数字。

    keras：Keras 模块（由这一课传进来：keras.layers 里有 Conv2D、
    AveragePooling2D、Flatten 和 Dense）。
    """
    # TODO: 一张 (28, 28, 1) 图像的 keras.Input
    # TODO: Conv2D，6 个 5x5 的滤波器，relu；再接 2x2 的 AveragePooling2D
    # TODO: Conv2D，16 个 5x5 的滤波器，relu；再接 2x2 的 AveragePooling2D
    # TODO: Flatten，Dense 120 relu，Dense 84 relu，Dense 10 softmax
    raise NotImplementedError("写出 lenet5(keras)")
