"""第 2.1 课：两个线性层就是一个层。

检查你的函数：            tutor verify activation-functions
用它运行这一课：          tutor run activation-functions --headless --mine
"""

import numpy as np


def collapse(w1, b1, w2, b2):
    """单独一个层 (W, b)，对每个输入 x 都有 x W + b == (x W1 + b1) W2 + b2。

    w1：(inputs, hidden)，b1：(hidden,) - 第一层。
    w2：(hidden, outputs)，b2：(outputs,) - 第二层。
    返回形状为 (inputs, outputs) 的 W 和形状为 (outputs,) 的 b。
    """
    # TODO: 把 (x W1 + b1) W2 + b2 乘开；乘以 x 的那部分就是 W
    # TODO: 剩下的部分（里面没有 x）就是 b
    raise NotImplementedError("写出 collapse(w1, b1, w2, b2)")
