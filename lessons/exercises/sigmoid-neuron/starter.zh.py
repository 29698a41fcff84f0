"""第 2.2 课，sigmoid 神经元：写出它的压缩函数和一颗豆子的链式法则。

检查你的函数：            tutor verify sigmoid-neuron
用它们训练这一课：        tutor run sigmoid-neuron --headless --mine
"""

import numpy as np


def sigmoid(z):
    """对 z 的每一项求 1 / (1 + e^-z)：z 是一个数，或任意形状的 NumPy 数组。

    sigmoid(0) 是 0.5。它不能溢出：sigmoid(1000) 是 1.0，
    sigmoid(-1000) 是 0.0，没有 NumPy 警告，也没有 nan。
    """
    # TODO: 用 np.exp 算 e^-z（它对数组逐项计算）
    # TODO: 保证指数永远不会是很大的正数（e^1000 放不进一个 float）
    raise NotImplementedError("写出 sigmoid(z)")


def gradients(w, b, x, y):
    """一颗豆子的 (de/dw, de/db)，其中 e = (y - a)^2，a = sigmoid(w x + b)。

    w、b：神经元的权重和偏置；x：豆子的大小；y：豆子有毒为 1.0，
    否则为 0.0。四个都是普通的数；返回两个数。
    """
    # TODO: 前向传播：z = w x + b，然后 a = sigmoid(z)
    # TODO: 每一环：de/da = -2 (y - a)，da/dz = a (1 - a)，dz/dw = x，dz/db = 1
    # TODO: 返回 de/da * da/dz * dz/dw, de/da * da/dz * dz/db
    raise NotImplementedError("写出 gradients(w, b, x, y)")
