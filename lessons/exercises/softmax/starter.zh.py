"""第 2.5 课：softmax 和交叉熵。

检查你的函数：            tutor verify softmax
用它们运行这一课：        tutor run softmax --headless --mine
"""

import numpy as np


def softmax(a):
    """从 logit 得到概率：e^(a_k) / sum_i e^(a_i)。

    a：logit 的一维数组（一个样本），或每行一个样本的二维数组
    - 这时每一行都变成加起来等于 1 的概率。对 [1010, 1000, 990]
    这样的 logit 也必须能算（e^1010 放不进一个 float）。
    """
    # TODO: 把 logit 减去它们的最大值（二维数组按行减）
    # TODO: 对减过的 logit 取 e^，再除以它们的和（也按行）
    raise NotImplementedError("写出 softmax(a)")


def cross_entropy(y, t):
    """-log(y[t]) 在所有行上的平均值：概率 y 错得有多远。

    y：概率，一维（一个样本）或二维（每行一个样本）。
    t：正确的类别：一个样本就是一个下标，或每行一个下标的数组。
    """
    # TODO: 取出每一行给它正确类别的概率
    # TODO: 返回这些概率的 -log 的平均值（一个数）
    raise NotImplementedError("写出 cross_entropy(y, t)")
