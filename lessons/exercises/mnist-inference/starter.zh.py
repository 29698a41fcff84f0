"""第 2.6 课：用 784-50-100-10 的网络读 MNIST 数字。

检查你的函数：            tutor verify mnist-inference
用它运行这一课：          tutor run mnist-inference --headless --mine
"""

import numpy as np


def sigmoid(a):
    """隐藏层的激活函数（已经给出）。"""
    return 1.0 / (1.0 + np.exp(-np.clip(a, -500, 500)))


def softmax(a):
    """输出的激活函数（已经给出）：每一行分数变成十个概率。"""
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def predict(network, x):
    """x 属于十个类别的概率。

    network：数组的字典 W1 (784, 50)，b1 (50,)，W2 (50, 100)，b2 (100,)，W3 (100, 10)，b3 (10,)。
    x：一张图像 (784,) -> 返回 (10,)；或者一批 (n, 784) -> 返回 (n, 10)。
    """
    # TODO: z1 = sigmoid（x 乘 W1 加 b1）
    # TODO: z2 = sigmoid（z1 乘 W2 加 b2）
    # TODO: 返回 softmax（z2 乘 W3 加 b3）
    raise NotImplementedError("写出 predict(network, x)")
