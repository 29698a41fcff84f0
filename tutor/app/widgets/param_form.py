"""A form built from a lesson's parameters, validated as you type.

Validation reuses :meth:`tutor.course.Param.coerce`, so the app refuses
exactly what the headless runner refuses, with the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, Static, Switch

from tutor.course import Param, ParamError
from tutor.i18n import _


class ParamValidator(Validator):
    def __init__(self, param: Param) -> None:
        super().__init__()
        self.param = param

    def validate(self, value: str) -> ValidationResult:
        try:
            self.param.coerce(value)
        except ParamError as error:
            return self.failure(str(error).removeprefix(f"{self.param.name}: "))
        return self.success()


class ParamInput(Input):
    """An Input that applies its own editing keys (End, Backspace...) in the order they were typed.

    Textual inserts a typed character in the Input itself, but runs a key's binding only once the key
    has bubbled up to the App; in a burst (a served tab, keys bunched by the network) the characters
    overtook the Backspaces: End, 6 x Backspace, "1555" on "100" left "1".
    """

    async def _on_key(self, event: events.Key) -> None:  # private: app/private_parts.py
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)


def _describe(param: Param) -> str:
    """The help line under a field: what it does and the range it takes."""
    parts = [param.help] if param.help else []
    if param.type in ("int", "float") and (param.min is not None or param.max is not None):
        low = "" if param.min is None else f"{param.min:g}"
        high = "" if param.max is None else f"{param.max:g}"
        parts.append(f"[{low} … {high}]")
    return "  ".join(parts)


def _text(param: Param, value: Any) -> str:
    return repr(float(value)) if param.type == "float" else str(value)


class ParamForm(VerticalScroll, can_focus=False):
    """One row per parameter: label, field, and its help or what is wrong with it."""

    @dataclass
    class Changed(Message):
        """A field changed; ``valid`` says whether the whole form is valid now."""

        form: ParamForm
        valid: bool

    def __init__(
        self,
        params: Mapping[str, Param],
        values: Mapping[str, Any],
        presets: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.params = dict(params)
        self._initial_values = dict(values)
        self._presets = dict(presets or {})
        self._errors: dict[str, str] = {}
        # The preset whose values the form shows (a Select reports its value when it mounts too).
        self._preset = self._initial_values.get("preset")

    def compose(self) -> ComposeResult:
        if not self.params:
            yield Static(_("This lesson has no parameters: just press Run."), classes="param-help")
        for name, param in self.params.items():
            value = self._initial_values.get(name, param.default)
            with Vertical(classes="param-row", id=f"row-{name}"):
                # Labels, help and choices come from lesson files: text, never markup.
                yield Label(
                    param.title if param.title == name else f"{param.title} ({name})",
                    classes="param-label",
                    markup=False,
                )
                yield self._field(param, value)
                yield Static(_describe(param), classes="param-help", markup=False)

    def _field(self, param: Param, value: Any):
        field_id = f"param-{param.name}"
        if param.type == "bool":
            return Switch(value=bool(value), id=field_id)
        if param.type == "choice":
            return Select(
                [(Content(choice), choice) for choice in param.choices],
                value=value,
                allow_blank=False,
                id=field_id,
                compact=True,
            )
        kinds: dict[str, Literal["integer", "number", "text"]] = {"int": "integer", "float": "number"}
        kind = kinds.get(param.type, "text")
        return ParamInput(
            _text(param, value),
            type=kind,
            validators=[ParamValidator(param)],
            id=field_id,
            compact=True,
            select_on_focus=False,
        )

    # ------------------------------------------------------------ reading

    @property
    def errors(self) -> dict[str, str]:
        """What is wrong, by parameter name (empty when the form is valid)."""
        return dict(self._errors)

    @property
    def valid(self) -> bool:
        return not self._errors

    def values(self) -> dict[str, Any]:
        """The typed values; raises ParamError if a field is invalid."""
        values: dict[str, Any] = {}
        for name, param in self.params.items():
            field = self.query_one(f"#param-{name}")
            if isinstance(field, Switch):
                values[name] = field.value
            elif isinstance(field, Select):
                # A Select only holds its value once mounted; until then it is the initial one.
                chosen = field.value
                values[name] = param.coerce(
                    self._initial_values.get(name, param.default) if chosen is Select.NULL else chosen
                )
            elif isinstance(field, Input):
                values[name] = param.coerce(field.value)
        return values

    def fields(self) -> dict[str, Any]:
        """What each field holds now, as typed (an invalid text too): :meth:`restore` puts it back."""
        return {name: self._field_of(name).value for name in self.params}

    def _field_of(self, name: str) -> Input | Select[Any] | Switch:
        field = self.query_one(f"#param-{name}")
        assert isinstance(field, (Input, Select, Switch))  # the fields _field makes
        return field

    # ------------------------------------------------------------ writing

    def restore(self, fields: dict[str, Any]) -> None:
        """Fields as :meth:`fields` gave them (from this lesson's form in another language)."""
        for name, value in fields.items():
            if name not in self.params:
                continue
            field = self._field_of(name)
            if isinstance(field, Select) and value is Select.NULL:
                continue
            if isinstance(field, Select):
                self._preset = value if name == "preset" else self._preset  # its values are the typed ones
            field.value = value
            if isinstance(field, Input):
                self._check(name, field)

    def set_values(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            if name not in self.params:
                continue
            field = self.query_one(f"#param-{name}")
            if isinstance(field, (Switch, Select)):
                field.value = value
            elif isinstance(field, Input):
                field.value = _text(self.params[name], value)
                self._check(name, field)

    # ------------------------------------------------------------ validating

    def _check(self, name: str, field: Input) -> None:
        result = field.validate(field.value)
        row = self.query_one(f"#row-{name}")
        help_line = row.query_one(".param-help", Static)
        if result is None or result.is_valid:
            self._errors.pop(name, None)
            row.remove_class("-invalid")
            help_line.update(_describe(self.params[name]))
        else:
            self._errors[name] = "; ".join(result.failure_descriptions)
            row.add_class("-invalid")
            help_line.update(f"✗ {self._errors[name]}")
        self.post_message(self.Changed(self, self.valid))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        name = (event.input.id or "").removeprefix("param-")
        if name in self.params:
            self._check(name, event.input)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        name = (event.select.id or "").removeprefix("param-")
        # Choosing a preset fills in the values it stands for.
        if name == "preset" and event.value != self._preset:
            self._preset = event.value
            if event.value in self._presets:
                defaults = {n: p.default for n, p in self.params.items() if n != "preset"}
                self.set_values({**defaults, **self._presets[event.value]})
        self.post_message(self.Changed(self, self.valid))

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self, self.valid))
