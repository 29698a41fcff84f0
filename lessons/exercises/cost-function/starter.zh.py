"""衡量误差：一条直线在所有豆子上的代价。

检查：tutor verify cost-function      用它训练：tutor run cost-function --headless --mine
"""

import numpy as np


def cost(w, x, y):
    """直线 y_hat = w x 在这些豆子上的均方误差。

    w：一个数；x、y：豆子的大小和毒性的数组。
    返回一个数：(y - w x)^2 在所有豆子上的平均值。
    """
    # TODO: 每颗豆子的误差，平方
    # TODO: 返回它们的平均值，一个数
    raise NotImplementedError("写出 cost：误差平方的平均值")
