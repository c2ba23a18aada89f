"""Weighted minimax (Remez exchange) polynomial fits used to derive the
coefficients in Sources/CSyftMath (needs mpmath):
    python3 tools/remez.py expm1   # expm1 P, degree 4 (f32) and 10 (f64)
    python3 tools/remez.py tanh    # tanh T, degree 4 (f32) and 10 (f64)
    python3 tools/remez.py         # log R degree 3 / 6 (and exploratory fits)
Each fit approximates F(t) on [a, b] by P(t) = sum c_i t^i minimizing
max |W(t) * (F(t) - P(t))|, where W converts the error into the relative
error of the final function value."""
import mpmath as mp
mp.mp.dps = 60

def remez(F, W, a, b, deg, iters=40, grid=4000):
    a, b = mp.mpf(a), mp.mpf(b)
    n = deg + 2
    pts = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * (k + mp.mpf(0.5)) / n) + (b - a) * mp.mpf('0.003') for k in range(n)]
    pts = [min(max(t, a), b) for t in pts]
    xs = [a + (b - a) * k / grid for k in range(grid + 1)]
    E = None
    for it in range(iters):
        A = mp.matrix(n, n); rhs = mp.matrix(n, 1)
        for j, t in enumerate(pts):
            for i in range(deg + 1):
                A[j, i] = t ** i
            A[j, deg + 1] = (-1) ** j / W(t)
            rhs[j] = F(t)
        sol = mp.lu_solve(A, rhs)
        c = [sol[i] for i in range(deg + 1)]
        E = sol[deg + 1]
        P = lambda t: mp.polyval(c[::-1], t)
        err = lambda t: W(t) * (F(t) - P(t))
        es = [err(t) for t in xs]
        # pick extrema of each sign run
        runs = []
        cur = [0]
        for k in range(1, len(xs)):
            if mp.sign(es[k]) == mp.sign(es[cur[0]]) or es[k] == 0:
                cur.append(k)
            else:
                runs.append(cur); cur = [k]
        runs.append(cur)
        ext = [max(r, key=lambda k: abs(es[k])) for r in runs]
        # keep n alternating extrema with the largest magnitude
        while len(ext) > n:
            # drop smaller end or merge
            if abs(es[ext[0]]) < abs(es[ext[-1]]):
                ext.pop(0)
            else:
                ext.pop()
        if len(ext) < n:
            break
        # refine each extremum with golden search
        newpts = []
        h = (b - a) / grid
        for k in ext:
            lo, hi = max(a, xs[k] - h), min(b, xs[k] + h)
            f = lambda t: -abs(err(t))
            for _ in range(60):
                m1 = lo + (hi - lo) * mp.mpf(0.382); m2 = lo + (hi - lo) * mp.mpf(0.618)
                if f(m1) < f(m2): hi = m2
                else: lo = m1
            newpts.append((lo + hi) / 2)
        maxe = max(abs(err(t)) for t in newpts)
        pts = newpts
        if abs(maxe - abs(E)) < abs(E) * mp.mpf('1e-6'):
            break
    return c, abs(E), maxe

def show(name, c, E, maxe):
    print(f"{name}: max weighted err {mp.nstr(maxe, 5)} (2^{mp.nstr(mp.log(maxe, 2), 4)})")
    for i, ci in enumerate(c):
        print(f"   c{i} = {mp.nstr(ci, 25)}  f32 {float(ci)!r:>26} {float.hex(float(ci))}")

def taylor_safe(f, series, small=mp.mpf('1e-8')):
    return lambda t: series(t) if abs(t) < small else f(t)

if __name__ == "__main__" and len(__import__("sys").argv) == 1:
    import sys
    ln2h = mp.log(2) / 2 + mp.mpf('0.0005')
    # exp: e^r = 1 + r + r^2 P(r); relative error weight r^2 / e^r
    Fexp = lambda r: (mp.exp(r) - 1 - r) / r**2 if r != 0 else mp.mpf(0.5)
    Wexp = lambda r: r**2 / mp.exp(r) if r != 0 else mp.mpf('1e-30')
    for d in (3, 4, 9, 10):
        c, E, m = remez(Fexp, Wexp, -ln2h, ln2h, d); show(f"exp P deg {d}", c, E, m)
    # expm1: e^r - 1 = r + r^2/2 + r^3 Q(r); weight r^3/expm1(r)
    Fem1 = lambda r: (mp.expm1(r) - r - r**2 / 2) / r**3 if r != 0 else mp.mpf(1) / 6
    Wem1 = lambda r: r**3 / mp.expm1(r) if r != 0 else mp.mpf('1e-30')
    for d in (8, 9):
        c, E, m = remez(Fem1, Wem1, -ln2h, ln2h, d); show(f"expm1 Q deg {d}", c, E, m)
    # log: log((1+s)/(1-s)) = 2s + s*z*R(z), z = s^2, |s| <= 0.1716 (fdlibm form)
    smax = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1) + mp.mpf('1e-4')
    FR = lambda z: (mp.log((1 + mp.sqrt(z)) / (1 - mp.sqrt(z))) - 2 * mp.sqrt(z)) / (mp.sqrt(z) * z) if z != 0 else mp.mpf(2) / 3
    WR = lambda z: mp.sqrt(z) * z / mp.log((1 + mp.sqrt(z)) / (1 - mp.sqrt(z))) if z != 0 else mp.mpf('1e-30')
    for d in (3, 6):
        c, E, m = remez(FR, WR, mp.mpf(0), smax**2, d); show(f"log R deg {d}", c, E, m)
    # tanh small: tanh(x) = x + x^3 P(x^2), x in [0, 0.5494]
    xm = mp.atanh(mp.mpf(0.5)) + mp.mpf('1e-3')
    FT = lambda t: (mp.tanh(mp.sqrt(t)) - mp.sqrt(t)) / (t * mp.sqrt(t)) if t != 0 else mp.mpf(-1) / 3
    WT = lambda t: t * mp.sqrt(t) / mp.tanh(mp.sqrt(t)) if t != 0 else mp.mpf('1e-30')
    for d in (4, 5, 6):
        c, E, m = remez(FT, WT, mp.mpf(0), xm**2, d); show(f"tanh P deg {d}", c, E, m)

def expm1_fits():
    """expm1(r) = r + r^2 P(r), relative error of expm1 (used by all exp-family
    kernels: e^r = 1 + q)."""
    import numpy as np
    a = mp.log(2) / 2 + mp.mpf('0.0005')
    F = lambda r: (mp.expm1(r) - r) / r**2 if r != 0 else mp.mpf(0.5)
    W = lambda r: r**2 / abs(mp.expm1(r)) if r != 0 else mp.mpf('1e-30')
    for d in (4, 9, 10):
        c, E, m = remez(F, W, -a, a, d)
        show(f"expm1 P deg {d}", c, E, m)
        if d == 4:
            print("   f32:", ', '.join(float.hex(float(np.float32(ci))) + 'f' for ci in c))
        else:
            print("   f64:", ', '.join(float.hex(float(ci)) for ci in c))

if __name__ == "__main__" and "expm1" in __import__("sys").argv:
    expm1_fits()

def tanh_fits():
    """tanh(x) = x + x^3 T(x^2) on [0, atanh(1/2)] (relative error)."""
    import numpy as np
    xm = mp.atanh(mp.mpf(0.5)) + mp.mpf('1e-3')
    F = lambda t: (mp.tanh(mp.sqrt(t)) - mp.sqrt(t)) / (t * mp.sqrt(t)) if t != 0 else mp.mpf(-1) / 3
    W = lambda t: t * mp.sqrt(t) / mp.tanh(mp.sqrt(t)) if t != 0 else mp.mpf('1e-30')
    for d in (4, 10):
        c, E, m = remez(F, W, mp.mpf(0), xm**2, d)
        show(f"tanh T deg {d}", c, E, m)
        if d == 4:
            print("   f32:", ', '.join(float.hex(float(np.float32(ci))) + 'f' for ci in c))
        else:
            print("   f64:", ', '.join(float.hex(float(ci)) for ci in c))

if __name__ == "__main__" and "tanh" in __import__("sys").argv:
    tanh_fits()
