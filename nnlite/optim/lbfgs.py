"""L-BFGS (Liu & Nocedal, 1989), with an optional strong-Wolfe line search.

A step runs up to ``max_iter`` quasi-Newton iterations, each of which calls the closure
(forward and backward) at least once, so one ``optimizer.step(closure)`` does the work of
many first-order steps. The algorithm, its stopping rules and its line search are torch's
(``torch/optim/lbfgs.py``, itself a port of minFunc), line for line, so that the iterates
agree with torch's.

Notation: all parameters are seen as one flat vector :math:`x` of ``numel`` entries;
``flat_grad`` is its gradient :math:`g`, ``d`` the search direction, ``t`` the step
length; the history keeps pairs :math:`s_i = t_i d_i` (``old_stps``) and
:math:`y_i = g_{i+1} - g_i` (``old_dirs``) with :math:`\\rho_i = 1 / y_i^\\top s_i` (``ro``).
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..tensor import enable_grad
from .optimizer import Optimizer, check_real

__all__ = ["LBFGS"]


# ---------------------------------------------------------------------------
# Line search (torch's port of minFunc's polyinterp.lua and lswolfe.lua)
# ---------------------------------------------------------------------------

def _cubic_interpolate(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                       bounds: tuple[float, float] | None = None) -> float:
    """The minimiser of the cubic through :math:`(x_1, f_1, f'_1)` and
    :math:`(x_2, f_2, f'_2)`, clipped to ``bounds`` (default: between the two points); the
    middle of the bounds when the cubic has no minimum."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func: Callable[[list[np.ndarray], float, np.ndarray],
                                     tuple[float, np.ndarray]],
                  x: list[np.ndarray], t: float, d: np.ndarray, f: float, g: np.ndarray,
                  gtd: float, c1: float = 1e-4, c2: float = 0.9,
                  tolerance_change: float = 1e-9,
                  max_ls: int = 25) -> tuple[float, np.ndarray, float, int]:
    """A step length ``t`` along ``d`` from ``x`` that satisfies the strong Wolfe
    conditions (sufficient decrease ``c1``, curvature ``c2``), found by bracketing and
    then zooming with cubic interpolation, in at most ``max_ls`` evaluations.

    Returns ``(loss, flat_grad, t, evaluations)`` at the point found.
    """
    d_norm = float(np.max(np.abs(d)))
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = float(np.dot(g_new, d))

    # bracket an interval containing a point satisfying the Wolfe criteria
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: list[float] = []
    bracket_f: list[float] = []
    bracket_g: list[np.ndarray] = []
    bracket_gtd: list[float] = []
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # extrapolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = float(np.dot(g_new, d))
        ls_iter += 1

    if ls_iter == max_ls:                   # out of evaluations
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]

    # zoom: refine the bracket until a point satisfies the criteria
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # too close to an end of the bracket: move 10% of its length inside, unless the
        # last step also was too close
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = float(np.dot(g_new, d))
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # no sufficient decrease, or not below the low point: the new high point
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True                  # Wolfe conditions hold
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # the old high point becomes the new low
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


# ---------------------------------------------------------------------------
# The optimizer
# ---------------------------------------------------------------------------

def _check_count(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"LBFGS: {name} must be a positive integer, got {value!r}")


class LBFGS(Optimizer):
    r"""L-BFGS, as ``torch.optim.LBFGS``.

    ``step(closure)`` minimises the loss the closure computes by up to ``max_iter``
    iterations of

    .. math::
        d_k = -H_k\,g_k, \qquad x_{k+1} = x_k + t_k d_k

    where :math:`H_k` is the inverse-Hessian estimate built by the two-loop recursion from
    the last ``history_size`` pairs :math:`(s_i, y_i)`, scaled by
    :math:`\gamma_k = s^\top y / y^\top y` (pairs with :math:`y^\top s \le 10^{-10}` are
    skipped). Without a line search the step length is ``lr`` (the first iteration ever:
    :math:`\min(1, 1/\lVert g\rVert_1)\,\text{lr}`); with ``line_search_fn="strong_wolfe"``
    it is searched from there. The step stops early when :math:`\max|g| \le`
    ``tolerance_grad``, when the step or the change in loss is below
    ``tolerance_change``, or after ``max_eval`` closure calls. The history carries over
    from one ``step`` to the next.

    The closure must clear the gradients, compute the loss, call ``backward()`` and return
    the loss; it is called with gradient recording enabled. Only one parameter group is
    allowed (as in torch); all parameters form one flat vector.

    Args:
        params (iterable): parameters (a single group).
        lr (float): learning rate, the step length or the line search's first guess
            (default: 1).
        max_iter (int): iterations per ``step`` (default: 20).
        max_eval (int, optional): closure calls per ``step`` (default: None, meaning
            ``max_iter * 5 // 4``).
        tolerance_grad (float): stop when the largest gradient entry is at most this
            (default: 1e-7).
        tolerance_change (float): stop when the step or the change in loss is smaller than
            this (default: 1e-9).
        history_size (int): number of :math:`(s, y)` pairs kept (default: 100).
        line_search_fn (str, optional): ``None`` (a fixed step) or ``"strong_wolfe"``
            (default: None).

    State (all of it registered under the first parameter, as torch does):
    ``func_evals``, ``n_iter`` (ints), ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``,
    ``H_diag``, ``prev_flat_grad``, ``prev_loss`` and ``al``.

    Example:
        >>> import numpy as np
        >>> import nnlite as nl
        >>> from nnlite.optim import LBFGS
        >>> from nnlite.nn import Parameter as P
        >>> w = P(np.zeros(2))
        >>> target = nl.tensor(np.array([1.0, -2.0]))
        >>> opt = LBFGS([w], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((w - target) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> loss = opt.step(closure)
        >>> np.round(w.array, 6)
        array([ 1., -2.])
    """

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None and isinstance(max_iter, numbers.Integral):
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        self._params = self.param_groups[0]["params"]
        self._numel_cache: int | None = None

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_real("LBFGS", "lr", group["lr"])
        _check_count("max_iter", group["max_iter"])
        _check_count("max_eval", group["max_eval"])
        _check_count("history_size", group["history_size"])
        check_real("LBFGS", "tolerance_grad", group["tolerance_grad"])
        check_real("LBFGS", "tolerance_change", group["tolerance_change"])
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError("LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                             f"{group['line_search_fn']!r}")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add the one parameter group (a second one raises ``ValueError``, as LBFGS keeps
        a single flat vector of all parameters)."""
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # -- the flat vector ----------------------------------------------------

    def _numel(self) -> int:
        if self._numel_cache is None:
            self._numel_cache = sum(p.array.size for p in self._params)
        return self._numel_cache

    def _gather_flat_grad(self) -> np.ndarray:
        """All gradients as one new flat array (zeros for a parameter without one)."""
        return np.concatenate([np.zeros(p.array.size, p.array.dtype) if p.grad is None
                               else p.grad.array.reshape(-1) for p in self._params])

    def _add_grad(self, step_size: float, update: np.ndarray) -> None:
        """``x += step_size * update``, in place, parameter by parameter."""
        offset = 0
        for p in self._params:
            data = p.array
            data += step_size * update[offset:offset + data.size].reshape(data.shape)
            offset += data.size

    def _clone_param(self) -> list[np.ndarray]:
        return [p.array.copy() for p in self._params]

    def _set_param(self, params_data: list[np.ndarray]) -> None:
        for p, saved in zip(self._params, params_data):
            np.copyto(p.array, saved)

    def _directional_evaluate(self, closure: Callable[[], Any], x: list[np.ndarray],
                              t: float, d: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and flat gradient at ``x + t d``; the parameters are put back to ``x``."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # -- the step -----------------------------------------------------------

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations.

        Args:
            closure (callable): clears the gradients, computes the loss, calls
                ``backward()`` and returns the loss; called with gradient recording
                enabled, once or more.

        Returns:
            The loss of the first closure call (before any update).
        """
        if not callable(closure):
            raise TypeError("LBFGS.step needs a closure that clears the gradients, "
                            "re-evaluates the loss, calls backward() and returns the loss; "
                            f"got {closure!r}")

        def evaluate() -> Any:
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad = float(group["tolerance_grad"])
        tolerance_change = float(group["tolerance_change"])
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1

        flat_grad = self._gather_flat_grad()
        opt_cond = bool(np.max(np.abs(flat_grad)) <= tolerance_grad)
        if opt_cond:
            return orig_loss

        d = state.get("d")
        t = state.get("t")
        old_dirs = state.get("old_dirs")
        old_stps = state.get("old_stps")
        ro = state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad = state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # -- the descent direction ------------------------------------------
            if state["n_iter"] == 1:
                d = np.negative(flat_grad)
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1.0
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = float(np.dot(y, s))
                if ys > 1e-10:                  # keep the pair (curvature is positive)
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / float(np.dot(y, y))
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                # two-loop recursion: d = -H g
                q = np.negative(flat_grad)
                for i in range(num_old - 1, -1, -1):
                    al[i] = float(np.dot(old_stps[i], q)) * ro[i]
                    q -= al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = float(np.dot(old_dirs[i], r)) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                np.copyto(prev_flat_grad, flat_grad)
            prev_loss = loss

            # -- the step length ------------------------------------------------
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(np.sum(np.abs(flat_grad)))) * lr
            else:
                t = lr
            gtd = float(np.dot(flat_grad, d))
            if gtd > -tolerance_change:         # not a descent direction (any more)
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                x_init = self._clone_param()

                def obj_func(x: list[np.ndarray], t: float,
                             d: np.ndarray) -> tuple[float, np.ndarray]:
                    return self._directional_evaluate(evaluate, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = bool(np.max(np.abs(flat_grad)) <= tolerance_grad)
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    # re-evaluate, except after the last iteration (in a stochastic
                    # setting, that evaluation would be wasted)
                    loss = float(evaluate())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = bool(np.max(np.abs(flat_grad)) <= tolerance_grad)
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # -- stopping rules -------------------------------------------------
            if n_iter == max_iter:
                break
            if current_evals >= max_eval:
                break
            if opt_cond:
                break
            if np.max(np.abs(d * t)) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"] = d
        state["t"] = t
        state["old_dirs"] = old_dirs
        state["old_stps"] = old_stps
        state["ro"] = ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"] = prev_flat_grad
        state["prev_loss"] = prev_loss
        return orig_loss

    # -- checkpoints ----------------------------------------------------------

    def _load_state_value(self, p: Any, index: Any, name: str, value: Any) -> Any:
        """LBFGS's state is about the flat vector: ints, floats, flat arrays of ``numel``
        entries and lists of them (``al`` may hold ``None``)."""
        if name in ("func_evals", "n_iter"):
            return int(value)
        if value is None:
            return None
        if isinstance(value, (list, tuple)):
            return [self._load_state_value(p, index, name, v) for v in value]
        arr = np.asarray(value)
        if arr.ndim == 0:
            return float(arr)
        dtype = self._params[0].array.dtype
        if arr.shape != (self._numel(),):
            raise ValueError(f"LBFGS.load_state_dict: state[{index!r}][{name!r}] has shape "
                             f"{arr.shape}, but the parameters have {self._numel()} "
                             "entries in all")
        return arr.astype(dtype, copy=True)
