"""第 2.3 课：穿过两个 sigmoid 神经元组成的隐藏层的反向传播。

检查你的函数：            tutor verify hidden-layer
用它训练这一课：          tutor run hidden-layer --headless --mine
"""

import math


def sigmoid(z):
    """一个数的 sigmoid（已经给出：这个练习讲的是梯度）。"""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def backward(p, x, y):
    """一颗豆子的误差 e = (y - a)^2 对七个权重中每一个的斜率。

    p：按名字存放的权重：p["w1"]、p["b1"]（隐藏神经元 1），p["w2"]、p["b2"]
       （隐藏神经元 2），p["v1"]、p["v2"]、p["c"]（输出神经元）。
    x：豆子的大小；y：有毒为 1.0，否则为 0.0。
    网络：h1 = sigmoid(w1 x + b1)，h2 = sigmoid(w2 x + b2)，
          a = sigmoid(v1 h1 + v2 h2 + c)。
    返回 {"w1": de/dw1, "b1": de/db1, ..., "c": de/dc}：七个数。
    """
    # TODO: 这颗豆子的前向传播：h1、h2、a
    # TODO: 输出的 delta，再算 v1、v2 和 c 的梯度
    # TODO: 每个隐藏神经元的 delta（经过 v1、v2），再算 w1、b1、w2、b2 的梯度
    raise NotImplementedError("写出 backward(p, x, y)")
