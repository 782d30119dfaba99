"""The stacked ensemble: starskope's classifiers combined, with calibrated probabilities.

Stacking (Wolpert 1992) on out-of-fold predictions:

1. the stars are split into ``n_folds`` folds, stratified by class;
2. every member model is trained on all folds but one and predicts the one left out, so
   each star gets each member's probabilities from a model that never saw it;
3. a multinomial logistic regression (the *stacker*) learns from those out-of-fold
   log-probabilities which member to trust for which class. Being fitted to held-out
   predictions at the true class frequencies, its outputs are calibrated probabilities
   (Platt scaling generalised to many inputs);
4. the members are re-trained on all stars;
5. the stacker's probabilities are **calibrated** on the out-of-fold predictions of the
   real stars among the training stars (``X.meta['origin'] == 'real'``; all stars when
   fewer than :data:`MIN_CALIBRATION_STARS` are real): bias-corrected temperature scaling
   (Alexandari, Kundaje & Shrikumar 2020), softmax(logits / T + b), with one temperature
   and one bias per class fitted by maximum likelihood. The biases move the class priors
   from the training mix (many simulated and injected planets and binaries) to those of
   real light curves, and the temperature sets how sure the stacker may be; the order of
   the stars by each class's logit is kept, so ranking metrics are unchanged;
6. the decision threshold for ``planet_transit`` is set on the same calibrated
   out-of-fold probabilities (of the real stars, when there are enough of them): the
   lowest ``p_planet`` that flags at most ``target_fpr`` (1 %) of the training
   non-planets. :meth:`StackedEnsemble.predict` calls a star a planet when its
   ``p_planet`` reaches that threshold, otherwise its most probable other class; the
   probabilities themselves are untouched.

The members' out-of-fold metrics are kept (``oof_metrics_``), so each member is measured
honestly on data it did not train on, and :meth:`member_probabilities` shows what each
member said about a star.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..errors import ParameterError
from .base import Progress, StarskopeClassifier, check_features, resolve_labels
from .labels import CLASSES

__all__ = ["MIN_CALIBRATION_STARS", "StackedEnsemble", "fit_temperature_bias", "stratified_folds"]

DEFAULT_MEMBERS: tuple[str, ...] = ("view-cnn", "spectrogram-cnn", "dbn", "gbt")

#: Fewest real training stars (``meta['origin'] == 'real'``) to calibrate on them alone,
#: and fewest real non-planets to set the planet threshold on them alone.
MIN_CALIBRATION_STARS = 200
MIN_THRESHOLD_NEGATIVES = 300


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature_bias(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Bias-corrected temperature scaling: the temperature ``T`` and per-class biases ``b``
    (the first fixed at 0) that maximise the likelihood of ``softmax(logits / T + b)``.

    Parameters
    ----------
    logits : ndarray, shape (n, k)
        Uncalibrated logits (one column per class).
    y : ndarray of int, shape (n,)
        Column index of each star's true class.

    Returns
    -------
    float, ndarray of shape (k,)
    """
    from scipy.optimize import minimize

    z = np.asarray(logits, float)
    k = z.shape[1]
    rows = np.arange(y.size)

    def nll(theta: np.ndarray) -> tuple[float, np.ndarray]:
        inv_t = float(np.exp(-theta[0]))
        b = np.concatenate([[0.0], theta[1:]])
        a = z * inv_t + b
        p = _softmax(a)
        loss = -float(np.mean(np.log(np.clip(p[rows, y], 1e-300, None))))
        g_a = p.copy()
        g_a[rows, y] -= 1.0
        g_a /= y.size
        grad_t = -float(np.sum(g_a * z) * inv_t)  # d/d(log T) of a = -z/T
        return loss, np.concatenate([[grad_t], g_a.sum(axis=0)[1:]])

    # a little L2 on the biases keeps a class absent from the calibration stars finite
    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = nll(theta)
        reg = 1e-3
        return loss + reg * float(np.sum(theta[1:] ** 2)), grad + np.concatenate([[0.0], 2 * reg * theta[1:]])

    res = minimize(objective, np.zeros(k), jac=True, method="L-BFGS-B",
                   bounds=[(-3.0, 3.0)] + [(-20.0, 20.0)] * (k - 1))
    return float(np.exp(res.x[0])), np.concatenate([[0.0], res.x[1:]])


def stratified_folds(y: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """Fold number (0 … n_folds−1) of each sample, every class spread over the folds."""
    rng = np.random.default_rng(seed)
    fold = np.empty(y.size, dtype=np.int64)
    offset = 0
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        fold[idx] = (np.arange(idx.size) + offset) % n_folds
        offset += idx.size  # rotate so small classes do not all start in fold 0
    return fold


def _fit_member(name: str, params: dict[str, Any], X_train: Any, y_train: np.ndarray, X_pred: Any,
                in_process: bool = True) -> tuple[np.ndarray | None, Any, float]:
    """Fit one member; return its predictions on ``X_pred`` (a fold fit) or the fitted
    model (a final fit). In a worker process the model travels back as its exported
    state (JSON and arrays), the same content a model file holds."""
    from .registry import MODELS

    t0 = time.perf_counter()
    est = MODELS.get(name).build(**params)
    est.fit(X_train, y_train)
    seconds = time.perf_counter() - t0
    if X_pred is not None:
        return est.predict_proba(X_pred), None, seconds
    if in_process:
        return None, est, seconds
    state, arrays, _kind = est._export_state()
    extra = {"training_summary_": getattr(est, "training_summary_", {})}
    return None, (state, arrays, list(est.classes_), extra), seconds


def _fit_member_remote(*args: Any) -> tuple[np.ndarray | None, Any, float]:
    return _fit_member(*args, in_process=False)


def _run_jobs(payload: list[tuple], n_jobs: int, progress: Progress | None) -> list[tuple]:
    """Run the member fits on ``n_jobs`` worker processes (or in this process for one).

    In this process a fit returns the estimator itself; from a worker process it comes
    back as its exported state and is rebuilt here.
    """
    from ..executors import executor_for
    from .registry import MODELS

    total = len(payload)
    if progress is not None:
        progress("ensemble fits", 0, total)
    results: list[tuple | None] = [None] * total
    with executor_for(max(1, n_jobs) if total > 1 else 1) as executor:
        fit = _fit_member if executor.in_process else _fit_member_remote
        for done, (i, (proba, packed, seconds)) in enumerate(executor.map(fit, payload, star=True), start=1):
            est = packed
            if packed is not None and not executor.in_process:
                state, arrays, classes, extra = packed
                name, params = payload[i][0], payload[i][1]
                est = MODELS.get(name).build(**params)
                est._import_state(state, arrays, classes=classes, members=[])
                for k, v in extra.items():
                    setattr(est, k, v)
            results[i] = (proba, est, seconds)
            if progress is not None:
                progress("ensemble fits", done, total)
    return [r for r in results if r is not None]


def _fpr_threshold(score: np.ndarray, positive: np.ndarray, fpr: float | None) -> float:
    """Lowest score that flags at most ``fpr`` of the negatives (NaN: arg-max decisions)."""
    if fpr is None:
        return float("nan")
    if not 0 <= fpr < 1:
        raise ParameterError(f"target_fpr must lie in [0, 1); got {fpr}")
    neg = np.sort(np.asarray(score)[~np.asarray(positive)])[::-1]
    if neg.size == 0:
        return float("nan")
    k = int(np.floor(fpr * neg.size))  # negatives allowed at or above the threshold
    if k >= neg.size:
        return float("nan")
    return float(np.nextafter(neg[k], np.inf))  # just above the (k+1)-th highest negative


class StackedEnsemble(StarskopeClassifier):
    """Stacked ensemble of starskope models with a logistic-regression stacker.

    Parameters
    ----------
    members : tuple of str
        Registry names of the member models.
    member_params : dict or None
        Hyperparameters per member name (``{"view-cnn": {"epochs": 20}}``).
    n_folds : int
        Folds for the out-of-fold predictions (≥ 2).
    C : float
        Inverse regularisation strength of the stacker.
    seed : int
        Seed of the folds and of every member.
    n_jobs : int
        Processes for the member fits (results do not depend on it).
    target_fpr : float or None
        False-positive rate of the planet decision on the out-of-fold predictions
        (None: plain arg-max decisions).
    calibration : {'temperature-bias', None}
        Calibrate the stacker's probabilities on the out-of-fold predictions of the real
        training stars (see the module docstring); None keeps the stacker's own.
    """

    model_name = "ensemble"
    weights_kind = "npz"

    def __init__(
        self,
        members: tuple[str, ...] = DEFAULT_MEMBERS,
        member_params: dict[str, dict[str, Any]] | None = None,
        n_folds: int = 3,
        C: float = 1.0,
        seed: int = 0,
        n_jobs: int = 1,
        target_fpr: float | None = 0.01,
        calibration: str | None = "temperature-bias",
    ) -> None:
        self.members = members
        self.member_params = member_params
        self.n_folds = n_folds
        self.C = C
        self.seed = seed
        self.n_jobs = n_jobs
        self.target_fpr = target_fpr
        self.calibration = calibration

    def _member_params(self, name: str) -> dict[str, Any]:
        from .registry import MODELS

        spec = MODELS.get(name)
        if spec.input != "features":
            raise ParameterError(f"ensemble member {name!r} does not take a FeatureSet; members must be starskope models")
        params = dict(spec.defaults)
        params.update((self.member_params or {}).get(name, {}))
        if "seed" in spec.estimator().get_params():
            params["seed"] = int(self.seed)
        return params

    @staticmethod
    def _stack_inputs(probs: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([np.log(np.clip(p, 1e-6, 1.0)) for p in probs], axis=1)

    def fit(self, X: Any, y: Any = None, *, progress: Progress | None = None) -> StackedEnsemble:
        """Out-of-fold member predictions → stacker → members re-trained on all stars.

        The ``n_folds × members`` fold fits and the final fits are independent; with
        ``n_jobs > 1`` they run in that many processes (each single-threaded).
        """
        from sklearn.linear_model import LogisticRegression

        from .evaluation import binary_metrics

        X = check_features(X, type(self).__name__)
        yi = resolve_labels(X, y, type(self).__name__)
        names = tuple(self.members)
        if not names:
            raise ParameterError("an ensemble needs at least one member")
        if int(self.n_folds) < 2:
            raise ParameterError(f"n_folds must be at least 2; got {self.n_folds}")
        if self.calibration not in (None, "temperature-bias"):
            raise ParameterError(f"calibration must be 'temperature-bias' or None; got {self.calibration!r}")
        origin = X.meta.get("origin")
        real = (np.asarray(origin).astype(str) == "real") if origin is not None else np.zeros(yi.size, bool)
        t0 = time.perf_counter()
        X = X.subset(slice(None))
        X.table_flux = None  # members never read raw table rows; do not ship them to workers
        fold = stratified_folds(yi, int(self.n_folds), int(self.seed))
        for k in range(int(self.n_folds)):
            if np.unique(yi[fold != k]).size < 2:
                raise ParameterError(f"fold {k} leaves a single class to train on; use fewer folds or more stars")
        params = {m: self._member_params(m) for m in names}
        jobs: list[tuple[str, int | None]] = [(m, None) for m in names]
        jobs += [(m, k) for k in range(int(self.n_folds)) for m in names]
        # slowest first, so the last job to start is a short one
        cost = {"view-cnn": 4, "spectrogram-cnn": 3, "dbn": 2, "gbt": 1}
        jobs.sort(key=lambda j: (-cost.get(j[0], 0), j[1] is not None))
        payload = []
        for m, k in jobs:
            if k is None:
                payload.append((m, params[m], X, yi, None))
            else:
                tr, te = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
                payload.append((m, params[m], X.subset(tr), yi[tr], X.subset(te)))
        results = _run_jobs(payload, int(self.n_jobs), progress)
        oof = {m: np.zeros((yi.size, len(CLASSES))) for m in names}
        fitted: dict[str, Any] = {}
        timings: dict[str, float] = dict.fromkeys(names, 0.0)
        for (m, k), (proba, est, seconds) in zip(jobs, results, strict=True):
            timings[m] += seconds
            if k is None:
                fitted[m] = est
            else:
                oof[m][fold == k] = proba
        Z = self._stack_inputs([oof[m] for m in names])
        stacker = LogisticRegression(C=float(self.C), max_iter=2000)
        stacker.fit(Z, yi)
        self.coef_ = np.asarray(stacker.coef_, float)
        self.intercept_ = np.asarray(stacker.intercept_, float)
        self.present_classes_ = np.asarray(stacker.classes_, np.int64)
        self.temperature_, self.class_bias_ = 1.0, np.zeros(self.present_classes_.size)
        uncalibrated = self._combine(Z)
        self.calibration_ = self._calibrate(Z, yi, real)
        self.oof_proba_ = self._combine(Z)
        self.oof_metrics_ = {m: binary_metrics((yi == 0).astype(int), oof[m][:, 0]) for m in names}
        # the planet threshold: 1 % of the real non-planets when there are enough of them
        on = real if int((real & (yi != 0)).sum()) >= MIN_THRESHOLD_NEGATIVES else np.ones(yi.size, bool)
        self.planet_threshold_ = _fpr_threshold(self.oof_proba_[on, 0], yi[on] == 0, self.target_fpr)
        self.calibration_["threshold_on"] = "real" if not on.all() else "all"
        self.oof_metrics_["ensemble"] = binary_metrics((yi == 0).astype(int), self.oof_proba_[:, 0],
                                                       predicted=(self.decide(self.oof_proba_) == 0).astype(int))
        self.oof_real_ = {"proba": self.oof_proba_[real], "uncalibrated": uncalibrated[real], "labels": yi[real],
                          "members": {m: oof[m][real] for m in names}}
        self.members_ = [(m, fitted[m]) for m in names]
        self._set_classes()
        self.history_ = {"seconds": time.perf_counter() - t0, "member_seconds": timings,
                         "members": {m: getattr(est, "history_", {}) for m, est in self.members_}}
        self.training_summary_ = {"n_stars": int(yi.size), "class_counts": np.bincount(yi, minlength=4).tolist(),
                                  "n_folds": int(self.n_folds), "seconds": round(self.history_["seconds"], 1),
                                  "member_seconds": {k: round(v, 1) for k, v in timings.items()},
                                  "n_real": int(real.sum()), "calibration": dict(self.calibration_)}
        return self

    def _calibrate(self, Z: np.ndarray, yi: np.ndarray, real: np.ndarray) -> dict[str, Any]:
        """Fit the temperature and class biases on the out-of-fold logits (of the real
        stars when there are enough of them); report the out-of-fold calibration before
        and after on those stars."""
        from .evaluation import expected_calibration_error

        on = real if int(real.sum()) >= MIN_CALIBRATION_STARS and np.unique(yi[real]).size >= 2 \
            else np.ones(yi.size, bool)
        info: dict[str, Any] = {"method": self.calibration, "on": "real" if not on.all() else "all",
                                "n_stars": int(on.sum())}
        before = self._combine(Z[on])
        info["ece_p_planet_before"] = expected_calibration_error((yi[on] == 0).astype(int), before[:, 0])
        if self.calibration is None:
            return info
        present = list(self.present_classes_)
        keep = np.isin(yi[on], self.present_classes_)
        cols = np.array([present.index(c) for c in yi[on][keep]])
        t, b = fit_temperature_bias(self._logits(Z[on][keep]), cols)
        self.temperature_, self.class_bias_ = t, b
        after = self._combine(Z[on])
        info.update(temperature=t, class_bias={str(CLASSES[c]): float(v) for c, v in zip(present, b, strict=True)},
                    ece_p_planet_after=expected_calibration_error((yi[on] == 0).astype(int), after[:, 0]))
        return info

    def _logits(self, Z: np.ndarray) -> np.ndarray:
        """The stacker's logits over the present classes (two classes: 0 and the one logit)."""
        raw = Z @ self.coef_.T + self.intercept_
        return np.column_stack([np.zeros(raw.shape[0]), raw[:, 0]]) if raw.shape[1] == 1 else raw

    def _combine(self, Z: np.ndarray, *, calibrated: bool = True) -> np.ndarray:
        logits = self._logits(Z)
        t = float(getattr(self, "temperature_", 1.0)) if calibrated else 1.0
        b = np.asarray(getattr(self, "class_bias_", np.zeros(logits.shape[1])), float) if calibrated \
            else np.zeros(logits.shape[1])
        out = np.zeros((logits.shape[0], len(CLASSES)))
        out[:, self.present_classes_] = _softmax(logits / t + b)
        return out

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Class indices: planet when ``p_planet`` reaches the threshold, else the most
        probable other class."""
        thr = getattr(self, "planet_threshold_", None)
        if thr is None or not np.isfinite(thr):
            return np.argmax(proba, axis=1)
        other = 1 + np.argmax(proba[:, 1:], axis=1)
        return np.where(proba[:, 0] >= thr, 0, other)

    def predict(self, X: Any) -> np.ndarray:
        """Class of each star at the planet threshold set on the out-of-fold predictions
        (see the module docstring)."""
        return np.asarray(self.classes_)[self.decide(self.predict_proba(X))]

    def member_probabilities(self, X: Any) -> dict[str, np.ndarray]:
        """Each member's class probabilities for ``X``."""
        self._check_fitted()
        X = check_features(X, type(self).__name__)
        return {m: est.predict_proba(X) for m, est in self.members_}

    def combine(self, member_probs: dict[str, np.ndarray]) -> np.ndarray:
        """The stacker's calibrated probabilities for given member probabilities (a dict
        like :meth:`member_probabilities`' answer): what the ensemble would say if its
        members said this. Explanations replace one member by a uniform distribution to
        read that member's contribution."""
        self._check_fitted()
        return self._combine(self._stack_inputs([member_probs[m] for m, _ in self.members_]))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities, columns in
        :data:`~starskope.models.labels.CLASSES` order."""
        return self.combine(self.member_probabilities(X))

    def uncalibrated_proba(self, X: Any) -> np.ndarray:
        """The stacker's probabilities before calibration (what :meth:`predict_proba`
        gave without step 5 of the module docstring): to measure what calibration does."""
        self._check_fitted()
        probs = self.member_probabilities(X)
        return self._combine(self._stack_inputs([probs[m] for m, _ in self.members_]), calibrated=False)

    def _export_members(self) -> list[tuple[str, Any]]:
        return list(self.members_)

    def _export_state(self):
        self._check_fitted()
        state = {"member_names": [m for m, _ in self.members_], "present_classes": self.present_classes_.tolist(),
                 "planet_threshold": self.planet_threshold_,
                 "temperature": float(self.temperature_), "class_bias": [float(v) for v in self.class_bias_],
                 "calibration": self.calibration_,
                 "oof_metrics": self.oof_metrics_, "history": self.history_}
        return state, {"coef": self.coef_, "intercept": self.intercept_}, "npz"

    def _import_state(self, state, arrays, *, classes, members):
        byname = dict(members)
        names = list(state["member_names"])
        missing = [m for m in names if m not in byname]
        if missing:
            raise ParameterError(f"ensemble members {missing} are missing from the model folder")
        self.members_ = [(m, byname[m]) for m in names]
        self.coef_ = np.asarray(arrays["coef"], float)
        self.intercept_ = np.asarray(arrays["intercept"], float)
        if self.coef_.shape[1] != len(names) * len(CLASSES):
            raise ParameterError(f"stacker has {self.coef_.shape[1]} inputs; {len(names)} members give {len(names) * len(CLASSES)}")
        self.present_classes_ = np.asarray(state["present_classes"], np.int64)
        self.oof_metrics_ = state.get("oof_metrics", {})
        thr = state.get("planet_threshold")
        self.planet_threshold_ = float("nan") if thr is None else float(thr)
        # a model saved before calibration existed: the stacker's own probabilities
        self.temperature_ = float(state.get("temperature", 1.0))
        self.class_bias_ = np.asarray(state.get("class_bias", np.zeros(self.present_classes_.size)), float)
        self.calibration_ = state.get("calibration", {"method": None})
        self.history_ = state.get("history", {})
        self.classes_ = np.asarray(classes, dtype=object)

