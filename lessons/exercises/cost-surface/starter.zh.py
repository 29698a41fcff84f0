"""两个参数：让 (w, b) 走下代价山谷的梯度。

检查：tutor verify cost-surface      用它训练：tutor run cost-surface --headless --mine
"""

import numpy as np


def gradients(w, b, x, y):
    """代价 mean((y - (w x + b))^2) 的偏导数，在所有豆子上取平均。

    w、b：数；x、y：豆子的大小和毒性的数组。
    返回 (dw, db)：两个数。
    """
    # TODO: 每颗豆子的误差 y - (w x + b)
    # TODO: dw：error^2 对 w 的导数的平均值（链式法则带来一个因子 -x）
    # TODO: db：error^2 对 b 的导数的平均值
    raise NotImplementedError("写出 gradients：return dw, db")
