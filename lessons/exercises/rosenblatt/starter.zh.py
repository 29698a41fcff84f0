"""Rosenblatt 的神经元：教会它的规则，一次一颗豆子。

检查：tutor verify rosenblatt      用它训练：tutor run rosenblatt --headless --mine
"""

import numpy as np


def learn_from_bean(w, x, y, lr):
    """在一颗豆子上做一次 Rosenblatt 更新之后的 w。

    w：神经元的权重（它预测一颗豆子的毒性为 w * x）
    x：豆子的大小，y：它的毒性，lr：学习率
    返回新的 w（一个数）。
    """
    # TODO: 误差：豆子的毒性比预测 w * x 高出多少
    # TODO: 返回按误差移动后的 w，再乘上豆子的大小 x 和 lr
    raise NotImplementedError("写出 learn_from_bean：先算误差，再算新的 w")
