"""What each view's data holds: the contract between routines and renderers.

A routine sends ``reporter.view(kind, **data)``; renderers draw it with
``tutor.plotting``. A routine module may also define ``preview(params,
reporter)``: it sends only the data views (the data, no model's answers),
quickly and without importing TensorFlow, so the data can be looked at
before the first run. Arrays may be NumPy arrays or lists. Every key not marked
required is optional. Keep payloads small: a renderer redraws them up to ten
times a second.

``fit`` - data and the model's curve(s) over it
    points: list of {"x", "y", "label"}   scatter groups (e.g. one per class)
    lines:  list of {"x", "y", "label"}   model curves
    title, xlabel, ylabel: str
    ylim: (low, high)

``loss`` - needs no data: it plots the run's recorded progress metrics
    (every metric whose name contains "loss" or "cost" on one plot, those
    containing "acc" on a second one). A routine may still send
    ``title`` or ``ylog=True``.

``cost`` - a cost curve over one parameter
    x, y (required): the curve
    marker: (x, y)                       e.g. the minimum found
    path: {"x", "y"}                     e.g. the steps gradient descent took
    title, xlabel, ylabel: str

``surface`` - a value over a 2-D grid, as a heat map
    x (required): 1-D, the columns' coordinates (length nx)
    y (required): 1-D, the rows' coordinates (length ny)
    z (required): 2-D, shape (ny, nx); may be empty (size 0) when there
        is nothing to shade yet - e.g. a lesson's ``preview`` before the first
        run: then x and y only give the plot's extents for the points
    points: list of {"x", "y", "label"}  data drawn on top (e.g. per class)
    path: {"x", "y"}                     a walk over the surface
    marker: (x, y)
    title, xlabel, ylabel, zlabel: str

``digits`` - a grid of small grey images
    images (required): array (n, h, w), values 0..255 or 0..1
    labels (required): list of str, the true labels
    predicted: list of str               predictions (wrong ones get marked)
    selected: int                        the image whose top-k is shown
    top: list of (label, probability)    for the selected image
    tops: one such list per image        lets the app browse the selection with keys
    columns: int                         images per row of the grid
    title: str
    (A ``preview`` sends images and labels only: no predicted, top or tops.)

``bars`` - one bar per label
    labels, values (required); title, ylabel: str; ylim: (low, high)

``matrix`` - one or more small matrices printed with their numbers
    matrices (required): list of {"title", "values": 2-D,
                                  "rows": labels, "cols": labels}

``table`` - rows of values
    columns, rows (required); title: str

``heatmaps`` - several small 2-D maps side by side (filters, feature maps)
    maps (required): list of {"title", "values": 2-D}
    columns: int                         maps per row
    title: str
"""

REQUIRED: dict[str, tuple[str, ...]] = {
    "fit": (),
    "loss": (),
    "cost": ("x", "y"),
    "surface": ("x", "y", "z"),
    "digits": ("images", "labels"),
    "bars": ("labels", "values"),
    "matrix": ("matrices",),
    "table": ("columns", "rows"),
    "heatmaps": ("maps",),
}

# Every kind of view a lesson may declare and a routine may report to.
VIEW_KINDS = tuple(REQUIRED)
