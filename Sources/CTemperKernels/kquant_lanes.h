/* One lane width of kquant.c's searches (included once per instruction set with KQ_W lanes
 * and KQ_SUFFIX naming the functions; internal). Every vector operation below is the scalar
 * operation of KQuantSearch.swift applied lane by lane; `if` becomes a select on the lane's
 * condition, so a lane never sees another lane's values. */
#define KQ_CAT2(a, b) a##b
#define KQ_CAT(a, b) KQ_CAT2(a, b)
#define KQ_FN(name) KQ_CAT(name, KQ_SUFFIX)
#define VF KQ_CAT(kq_vf, KQ_W)
#define VI KQ_CAT(kq_vi, KQ_W)

typedef float VF __attribute__((vector_size(4 * KQ_W)));
typedef int32_t VI __attribute__((vector_size(4 * KQ_W)));

KQ_ATTR static inline __attribute__((always_inline)) VF KQ_FN(splat_f)(float v) { VF r; for (int k = 0; k < KQ_W; k++) r[k] = v; return r; }
KQ_ATTR static inline __attribute__((always_inline)) VI KQ_FN(splat_i)(int32_t v) { VI r; for (int k = 0; k < KQ_W; k++) r[k] = v; return r; }
/* m ? a : b for a lane mask m (all ones or zero). */
KQ_ATTR static inline __attribute__((always_inline)) VF KQ_FN(sel_f)(VI m, VF a, VF b) { return (VF)((m & (VI)a) | (~m & (VI)b)); }
KQ_ATTR static inline __attribute__((always_inline)) VI KQ_FN(sel_i)(VI m, VI a, VI b) { return (m & a) | (~m & b); }
KQ_ATTR static inline __attribute__((always_inline)) VF KQ_FN(abs_f)(VF v) { return (VF)((VI)v & KQ_FN(splat_i)(0x7fffffff)); }
/* nearest_int: v + 1.5·2^23, mantissa bits − 2^22. */
KQ_ATTR static inline __attribute__((always_inline)) VI KQ_FN(nearest)(VF v) {
    VF shifted = v + KQ_FN(splat_f)(12582912.0f);
    return ((VI)shifted & KQ_FN(splat_i)(0x007fffff)) - KQ_FN(splat_i)(0x00400000);
}
/* max(lo, min(hi, v)) on integers. */
KQ_ATTR static inline __attribute__((always_inline)) VI KQ_FN(clamp)(VI v, int32_t lo, int32_t hi) {
    VI h = KQ_FN(splat_i)(hi), l = KQ_FN(splat_i)(lo);
    v = KQ_FN(sel_i)(v < h, v, h);
    return KQ_FN(sel_i)(v > l, v, l);
}
KQ_ATTR static inline __attribute__((always_inline)) VF KQ_FN(to_f)(VI v) { return __builtin_convertvector(v, VF); }

/* Lanes k < lanes take sub-block k of x (n values each); the others are zeros. */
KQ_ATTR static inline __attribute__((always_inline)) void KQ_FN(transpose)(const float *x, int n, int lanes, VF *X) {
    for (int i = 0; i < n; i++) X[i] = KQ_FN(splat_f)(0.0f);
    for (int k = 0; k < lanes; k++)
        for (int i = 0; i < n; i++) X[i][k] = x[k * n + i];
}

/* Per lane: the largest |x[i]| (amax) and the x[i] it came from (mx), first one on ties. */
KQ_ATTR static inline __attribute__((always_inline)) void KQ_FN(max_abs)(const VF *X, int n, VF *mx_out, VF *amax_out) {
    VF mx = KQ_FN(splat_f)(0.0f), amax = mx;
    for (int i = 0; i < n; i++) {
        VF ax = KQ_FN(abs_f)(X[i]);
        VI gt = ax > amax;
        amax = KQ_FN(sel_f)(gt, ax, amax);
        mx = KQ_FN(sel_f)(gt, X[i], mx);
    }
    *mx_out = mx;
    *amax_out = amax;
}

KQ_ATTR static void KQ_FN(qkx2_group)(const float *x, int lanes, int n, int nmax, float rmin, float rdelta, int nstep,
                                       int weights_kind, int use_mad, uint8_t *Lout, float *scales_out, float *mins_out) {
    VF X[32], W[32], Lx[32];
    KQ_FN(transpose)(x, n, lanes, X);
    if (weights_kind == 0) {
        VF sum_x2 = KQ_FN(splat_f)(0.0f);
        for (int i = 0; i < n; i++) sum_x2 += X[i] * X[i];
        VF av = sum_x2 / KQ_FN(splat_f)((float)n);
        av = __builtin_elementwise_sqrt(av);
        for (int i = 0; i < n; i++) W[i] = av + KQ_FN(abs_f)(X[i]);
    } else {
        for (int i = 0; i < n; i++) W[i] = KQ_FN(abs_f)(X[i]);
    }
    VF mn = X[0], mx = X[0], sum_w = W[0], sum_x = sum_w * X[0];
    for (int i = 1; i < n; i++) {
        mn = KQ_FN(sel_f)(X[i] < mn, X[i], mn);
        mx = KQ_FN(sel_f)(X[i] > mx, X[i], mx);
        sum_w += W[i];
        sum_x += W[i] * X[i];
    }
    const VF zero = KQ_FN(splat_f)(0.0f);
    mn = KQ_FN(sel_f)(mn > zero, zero, mn);
    VI flat = mx == mn;                    /* these lanes return (0, −min) with zero levels */
    VF flat_min = mn;
    VF fnmax = KQ_FN(splat_f)((float)nmax);
    VF iscale = fnmax / (mx - mn);
    VF scale = KQ_FN(splat_f)(1.0f) / iscale;
    VF best = zero;
    /* The levels of the best trial so far are clamp(nearest(level_scale · (x − level_min))):
     * instead of copying them on every win, the lanes keep the two factors and the levels are
     * recomputed once at the end by the same operations. */
    VF level_scale = iscale, level_min = mn;
    for (int i = 0; i < n; i++) {
        VF l = KQ_FN(to_f)(KQ_FN(clamp)(KQ_FN(nearest)(iscale * (X[i] - mn)), 0, nmax));
        VF diff = scale * l + mn - X[i];
        diff = use_mad ? KQ_FN(abs_f)(diff) : diff * diff;
        best += W[i] * diff;
    }
    if (nstep >= 1) {
        for (int is = 0; is <= nstep; is++) {
            VF is_scale = KQ_FN(splat_f)(rmin + rdelta * (float)is + (float)nmax) / (mx - mn);
            VF sum_l = zero, sum_l2 = zero, sum_xl = zero;
            for (int i = 0; i < n; i++) {
                VF l = KQ_FN(to_f)(KQ_FN(clamp)(KQ_FN(nearest)(is_scale * (X[i] - mn)), 0, nmax));
                Lx[i] = l;
                VF wl = W[i] * l;
                sum_l += wl;
                sum_l2 += wl * l;
                sum_xl += wl * X[i];
            }
            VF D = sum_w * sum_l2 - sum_l * sum_l;
            VI fits = D > zero;
            VF this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            VF this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            VI pos = this_min > zero;
            this_min = KQ_FN(sel_f)(pos, zero, this_min);
            this_scale = KQ_FN(sel_f)(pos, sum_xl / sum_l2, this_scale);
            VF err = zero;
            for (int i = 0; i < n; i++) {
                VF diff = this_scale * Lx[i] + this_min - X[i];
                diff = use_mad ? KQ_FN(abs_f)(diff) : diff * diff;
                err += W[i] * diff;
            }
            VI take = fits & (err < best);
            level_scale = KQ_FN(sel_f)(take, is_scale, level_scale);
            level_min = KQ_FN(sel_f)(take, mn, level_min);
            best = KQ_FN(sel_f)(take, err, best);
            scale = KQ_FN(sel_f)(take, this_scale, scale);
            mn = KQ_FN(sel_f)(take, this_min, mn);
        }
    }
    for (int i = 0; i < n; i++) Lx[i] = KQ_FN(to_f)(KQ_FN(clamp)(KQ_FN(nearest)(level_scale * (X[i] - level_min)), 0, nmax));
    for (int k = 0; k < lanes; k++) {
        int f = flat[k] != 0;
        scales_out[k] = f ? 0.0f : scale[k];
        mins_out[k] = f ? -flat_min[k] : -mn[k];
        for (int i = 0; i < n; i++) Lout[k * n + i] = f ? 0 : (uint8_t)(int32_t)Lx[i][k];
    }
}

KQ_ATTR static void KQ_FN(qx_group)(const float *x, int lanes, int n, int nmax, int8_t *Lout, float *scales_out) {
    VF X[32], WS[32], WX[32];
    KQ_FN(transpose)(x, n, lanes, X);
    const VF zero = KQ_FN(splat_f)(0.0f);
    VF mx, amax;
    KQ_FN(max_abs)(X, n, &mx, &amax);
    VI tiny = amax < KQ_FN(splat_f)(1e-15f);  /* GROUP_MAX_EPS: zero levels, scale 0 */
    VF fnmax = KQ_FN(splat_f)((float)nmax);
    VF iscale = -fnmax / mx;
    VF sumlx = zero, suml2 = zero;
    for (int i = 0; i < n; i++) {
        VF l = KQ_FN(to_f)(KQ_FN(clamp)(KQ_FN(nearest)(iscale * X[i]), -nmax, nmax - 1));
        VF w = X[i] * X[i];
        WS[i] = w;
        WX[i] = w * X[i];
        sumlx += w * X[i] * l;
        suml2 += w * l * l;
    }
    VF scale = KQ_FN(sel_f)(suml2 != zero, sumlx / suml2, zero);
    VF best = scale * sumlx;
    VF level_scale = iscale;               /* the levels are recomputed from it at the end */
    for (int step = -9; step <= 9; step++) {
        if (step == 0) continue;
        iscale = -(fnmax + KQ_FN(splat_f)(0.1f * (float)step)) / mx;
        sumlx = zero; suml2 = zero;
        for (int i = 0; i < n; i++) {
            VF l = KQ_FN(to_f)(KQ_FN(clamp)(KQ_FN(nearest)(iscale * X[i]), -nmax, nmax - 1));
            sumlx += WX[i] * l;
            suml2 += WS[i] * l * l;
        }
        VI take = (suml2 > zero) & (sumlx * sumlx > best * suml2);
        level_scale = KQ_FN(sel_f)(take, iscale, level_scale);
        VF s = sumlx / suml2;
        scale = KQ_FN(sel_f)(take, s, scale);
        best = KQ_FN(sel_f)(take, s * sumlx, best);
    }
    VI Li[32];
    for (int i = 0; i < n; i++) Li[i] = KQ_FN(clamp)(KQ_FN(nearest)(level_scale * X[i]), -nmax, nmax - 1);
    for (int k = 0; k < lanes; k++) {
        int t = tiny[k] != 0;
        scales_out[k] = t ? 0.0f : scale[k];
        for (int i = 0; i < n; i++) Lout[k * n + i] = t ? 0 : (int8_t)(Li[i][k] + nmax);
    }
}

KQ_ATTR static void KQ_FN(qkx2)(const float *x, size_t count, int n, int nmax, float rmin, float rdelta, int nstep,
                                 int weights_kind, int use_mad, uint8_t *L, float *scales, float *mins) {
    for (size_t j = 0; j < count; j += KQ_W) {
        int lanes = count - j < KQ_W ? (int)(count - j) : KQ_W;
        KQ_FN(qkx2_group)(x + j * n, lanes, n, nmax, rmin, rdelta, nstep, weights_kind, use_mad,
                          L + j * n, scales + j, mins + j);
    }
}

KQ_ATTR static void KQ_FN(qx)(const float *x, size_t count, int n, int nmax, int8_t *L, float *scales) {
    for (size_t j = 0; j < count; j += KQ_W) {
        int lanes = count - j < KQ_W ? (int)(count - j) : KQ_W;
        KQ_FN(qx_group)(x + j * n, lanes, n, nmax, L + j * n, scales + j);
    }
}

KQ_ATTR static void KQ_FN(q3_group)(const float *x, int lanes, int n, int nmax, int8_t *Lout, float *scales_out) {
    VF X[32], WX[32], WS[32];
    VI L[32];
    KQ_FN(transpose)(x, n, lanes, X);
    const VF zero = KQ_FN(splat_f)(0.0f);
    VF mx, amax;
    KQ_FN(max_abs)(X, n, &mx, &amax);
    VI tiny = amax < KQ_FN(splat_f)(1e-15f);  /* GROUP_MAX_EPS: zero levels, scale 0 */
    VF iscale = -KQ_FN(splat_f)((float)nmax) / mx;
    VF sumlx = zero, suml2 = zero;
    for (int i = 0; i < n; i++) {
        VI li = KQ_FN(clamp)(KQ_FN(nearest)(iscale * X[i]), -nmax, nmax - 1);
        VF l = KQ_FN(to_f)(li);
        L[i] = li;
        VF w = X[i] * X[i];
        WS[i] = w;
        WX[i] = w * X[i];
        sumlx += WX[i] * l;
        suml2 += w * l * l;
    }
    /* Up to 5 refinement passes; a lane whose pass changed nothing would change nothing in
     * the next one either (same state, same operations), so passes run while any lane changes. */
    for (int pass = 0; pass < 5; pass++) {
        VI changed = KQ_FN(splat_i)(0);
        for (int i = 0; i < n; i++) {
            VF li = KQ_FN(to_f)(L[i]);
            VF slx = sumlx - WX[i] * li;
            VI m = slx > zero;
            VF sl2 = suml2 - WS[i] * li * li;
            VI new_l = KQ_FN(clamp)(KQ_FN(nearest)(X[i] * sl2 / slx), -nmax, nmax - 1);
            m &= new_l != L[i];
            VF fl = KQ_FN(to_f)(new_l);
            slx += WX[i] * fl;
            sl2 += WS[i] * fl * fl;
            m &= (sl2 > zero) & (slx * slx * suml2 > sumlx * sumlx * sl2);
            L[i] = KQ_FN(sel_i)(m, new_l, L[i]);
            sumlx = KQ_FN(sel_f)(m, slx, sumlx);
            suml2 = KQ_FN(sel_f)(m, sl2, suml2);
            changed |= m;
        }
        int any = 0;
        for (int k = 0; k < KQ_W; k++) any |= changed[k];
        if (!any) break;
    }
    VF scale = KQ_FN(sel_f)(suml2 > zero, sumlx / suml2, zero);
    for (int k = 0; k < lanes; k++) {
        int t = tiny[k] != 0;
        scales_out[k] = t ? 0.0f : scale[k];
        for (int i = 0; i < n; i++) Lout[k * n + i] = t ? 0 : (int8_t)(L[i][k] + nmax);
    }
}

KQ_ATTR static void KQ_FN(q3)(const float *x, size_t count, int n, int nmax, int8_t *L, float *scales) {
    for (size_t j = 0; j < count; j += KQ_W) {
        int lanes = count - j < KQ_W ? (int)(count - j) : KQ_W;
        KQ_FN(q3_group)(x + j * n, lanes, n, nmax, L + j * n, scales + j);
    }
}

#undef VF
#undef VI
