"""第 2.4 课：三层网络的前向传播。

检查你的函数：            tutor verify forward-pass
用它运行这一课：          tutor run forward-pass --headless --mine
"""

import numpy as np


def sigmoid(a):
    """隐藏层的激活函数（已经给出：这个练习讲的是层）。"""
    return 1.0 / (1.0 + np.exp(-a))


def forward(x, W1, b1, W2, b2, W3, b3):
    """网络对输入 x 的输出。

    x：输入，在这一课里形状是 (2,)（也可以每行一个输入）。
    W1 (2, 3)，b1 (3,)：第一个隐藏层，激活函数 sigmoid。
    W2 (3, 2)，b2 (2,)：第二个隐藏层，激活函数 sigmoid。
    W3 (2, 2)，b3 (2,)：输出层，激活函数是恒等函数（什么也不做）。
    返回 Y，在这一课里形状是 (2,)。
    """
    # TODO: A1 = x W1 + b1，Z1 = sigmoid(A1)
    # TODO: A2 = Z1 W2 + b2，Z2 = sigmoid(A2)
    # TODO: A3 = Z2 W3 + b3 就是输出
    raise NotImplementedError("写出 forward(x, W1, b1, W2, b2, W3, b3)")
