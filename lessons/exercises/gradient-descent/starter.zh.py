"""梯度下降：告诉 w 哪边是下坡的斜率。

检查：tutor verify gradient-descent      用它训练：tutor run gradient-descent --headless --mine
"""

import numpy as np


def slope(w, x, y):
    """一颗豆子的代价 (y - w x)^2 在 w 处的斜率：它对 w 的导数。

    x、y：一颗豆子的大小和毒性，是数 - 也可以是许多豆子的数组，这时
    结果是每颗豆子一个斜率的数组（逐项计算：不求和，不取平均）。
    正数表示 w 变大时代价上升（下坡在左边）。
    """
    # TODO: 求 (y - w x)^2 对 w 的导数（展开它，或者用链式法则）
    raise NotImplementedError("写出 slope：(y - w x)^2 对 w 的导数")
