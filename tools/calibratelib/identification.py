"""Local identification at the optimum (docs/calibration.md, "Identification").

D_kj = ∂z_k/∂u_j, z_k = (m̄_k − t_k)/se_k the standardised errors of the fitted moments and u_j
the parameter on its unit interval, by central differences with common random numbers (one-sided
at a bound or where a neighbour is infeasible). With weights W = diag(w), the SMM estimator's
asymptotic variance on the unit scale is (1 + 1/R) (D'WD)⁻¹ D'W²D (D'WD)⁻¹ (Lee and Ingram
1991; with equal weights, (1 + 1/R)(D'D)⁻¹): the targets' errors, plus the simulation noise of
R replications. It is mapped to parameter units with ∂θ/∂u.

A parameter is weakly identified when its standard error exceeds a quarter of its range (on its
search scale), or when D is near-singular (condition number above 10³) and the parameter loads
mostly (squared loading > 1/2) on the right singular vector of the smallest singular value.
"""
import math

import numpy as np

STEP = 0.03                 # of the unit interval: large enough to step over the model's kinks
WEAK_SE = 0.25              # of the range (unit scale)
NEAR_SINGULAR = 1e3         # condition number
LOADING = 0.5               # squared loading on the weakest direction


def points(u, step=STEP):
    """The 2d points the differences need, [u + h e_1, u − h e_1, ...], clipped to the cube (a
    clipped point is u itself, which the cache answers without a run)."""
    out = []
    for j in range(len(u)):
        for sign in (1.0, -1.0):
            p = np.array(u, dtype=float)
            p[j] = min(1.0, max(0.0, p[j] + sign * step))
            out.append(p)
    return out


def jacobian(center, around, fitted):
    """D (K_fitted × d) from the centre Evaluation and the 2d Evaluations of `points`; a column
    that cannot be estimated (both neighbours infeasible, or at both bounds) is NaN."""
    d = len(center.u)
    z0 = center.z[fitted]
    D = np.full((int(np.sum(fitted)), d), np.nan)
    for j in range(d):
        plus, minus = around[2 * j], around[2 * j + 1]
        hp = plus.u[j] - center.u[j] if plus.feasible else 0.0
        hm = center.u[j] - minus.u[j] if minus.feasible else 0.0
        if hp > 0 and hm > 0:
            D[:, j] = (plus.z[fitted] - minus.z[fitted]) / (hp + hm)
        elif hp > 0:
            D[:, j] = (plus.z[fitted] - z0) / hp
        elif hm > 0:
            D[:, j] = (z0 - minus.z[fitted]) / hm
    return D


class Report:
    """D, its singular values, se on the unit scale and in parameter units, the weak flags."""

    def __init__(self, names, D, weights, replications, dtheta_du, moment_names):
        self.names, self.D, self.moment_names = list(names), D, list(moment_names)
        d = D.shape[1]
        self.singular = np.full(min(D.shape), np.nan)
        self.condition = math.inf
        self.se_unit = np.full(d, math.inf)
        self.weak = [False] * d
        self.why = [""] * d
        self.note = ""
        bad = ~np.all(np.isfinite(D), axis=0)
        if bad.any():
            for j in np.where(bad)[0]:
                self.weak[j], self.why[j] = True, "no derivative (neighbours infeasible)"
            self.note = "some derivatives could not be estimated"
        if D.shape[0] < d:
            self.note = f"{D.shape[0]} fitted moment(s) for {d} parameters: not identified"
        good = ~bad & (D.shape[0] > 0)
        if good.any():
            Dg = D[:, good]
            _, s, vt = np.linalg.svd(Dg, full_matrices=False)
            self.singular = s
            self.condition = (s[0] / s[-1]) if len(s) and s[-1] > 0 else math.inf
            se = _standard_errors(Dg, weights, replications)
            self.se_unit[good] = se
            # fewer moments than parameters: D'WD is singular and every se is infinite anyway
            weakest = vt[-1] ** 2 if len(s) == Dg.shape[1] else np.ones(Dg.shape[1])
            for jj, j in enumerate(np.where(good)[0]):
                if math.isinf(se[jj]):
                    self.weak[j], self.why[j] = True, "no moment moves it apart from the others (D'WD singular)"
                elif not se[jj] <= WEAK_SE:
                    self.weak[j], self.why[j] = True, f"se is {_frac(se[jj])} of its range (> {WEAK_SE:g})"
                elif self.condition > NEAR_SINGULAR and weakest[jj] > LOADING:
                    self.weak[j], self.why[j] = True, (f"loads {weakest[jj]:.2f} on the weakest direction of a "
                                                       f"near-singular D (condition number {self.condition:.3g})")
        for j in range(d):
            if not self.weak[j] and not math.isfinite(self.se_unit[j]):
                self.weak[j], self.why[j] = True, "not identified (no fitted moment)"
        self.se = self.se_unit * np.asarray(dtheta_du, dtype=float)

    def text(self, theta):
        lines = ["Identification at the optimum (central differences of z = (model - target)/se in each",
                 f"parameter's unit interval, step {STEP:g}, common random numbers):", ""]
        width = max([len("D = dz/du")] + [len(n) for n in self.moment_names])
        cols = [n if len(n) <= 14 else n[:13] + "~" for n in self.names]
        lines.append("D = dz/du".ljust(width) + "".join(f"{c:>16}" for c in cols))
        for k, name in enumerate(self.moment_names):
            lines.append(name.ljust(width) + "".join(f"{x:>16.4g}" for x in self.D[k]))
        lines.append("")
        lines.append("singular values of D: " + ", ".join(f"{s:.4g}" for s in self.singular) +
                     (f"  (condition number {self.condition:.4g})" if math.isfinite(self.condition)
                      else "  (D is singular)"))
        lines.append("")
        pw = max([len("parameter")] + [len(n) for n in self.names])
        lines.append(f"{'parameter':<{pw}} {'estimate':>14} {'se':>12} {'se/range':>9}  identification")
        for j, name in enumerate(self.names):
            flag = f"WEAK: {self.why[j]}" if self.weak[j] else "ok"
            lines.append(f"{name:<{pw}} {theta[j]:>14.6g} {self.se[j]:>12.4g} {_frac(self.se_unit[j]):>9}  {flag}")
        if self.note:
            lines.append(f"note: {self.note}")
        lines.append("se from (1 + 1/R)(D'WD)^-1 D'W^2 D (D'WD)^-1 (R replications, W the moments' weights); "
                     "se/range on the search scale (log for log parameters).")
        return "\n".join(lines)


def _standard_errors(D, weights, replications):
    """se on the unit scale. Where D'WD is singular, the parameter loading most on its null
    direction gets se = ∞ and is set aside, until the rest is regular: their se are then those
    with the set-aside parameters held fixed."""
    d = D.shape[1]
    se = np.full(d, math.inf)
    keep = list(range(d))
    while keep:
        Dk = D[:, keep]
        A = Dk.T @ (weights[:, None] * Dk)           # D'WD
        B = Dk.T @ ((weights ** 2)[:, None] * Dk)    # D'W²D (the z are unit-variance)
        w, v = np.linalg.eigh(A)
        if w[0] > 1e-12 * max(w[-1], 1e-300):
            Ainv = np.linalg.inv(A)
            V = (1.0 + 1.0 / replications) * Ainv @ B @ Ainv
            se[keep] = np.sqrt(np.maximum(np.diag(V), 0.0))
            break
        keep.pop(int(np.argmax(np.abs(v[:, 0]))))
    return se


def _frac(x):
    return f"{x:.3g}" if math.isfinite(x) else "inf"
