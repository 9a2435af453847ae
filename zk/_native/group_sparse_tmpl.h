/* Sparse matrix times point vector: out[c] = acc[c] + sum over the entries (r, c, v) of
 * v * points[r], i.e. one small multi-scalar multiplication per column, all at once.
 * An extension of group_tmpl.h (same parameters), instantiated after it by bn254.c.
 * Entries are bucketed by column (counting sort); columns are split over the workers;
 * coefficients 1 and r - 1 (most of a circom circuit's) are mixed additions, the others
 * signed 4-bit windows over a table of 1P..8P; each chunk of columns goes to affine
 * form with one inversion. */
#define PT_SP_CHUNK 128
#define PT_SP_NWIN 64

typedef struct {
    const PT(aff) *pts, *acc;
    const uint8_t *rows, *coeffs;
    const uint32_t *start, *order;  /* entries of column c: order[start[c] .. start[c+1]) */
    uint8_t *out;
} PT(sp_ctx);

static inline uint32_t PT(sp_rd32)(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* r += k * p for a raw scalar 1 < k < r - 1 (signed 4-bit windows, Jacobian table). */
static void PT(sp_add_mul)(PT(jac) *r, const PT(aff) *p, const fe *k) {
    PT(jac) tab[8], t;
    int16_t dg[PT_SP_NWIN];
    PT(from_aff)(&tab[0], p);
    PT(dbl)(&tab[1], &tab[0]);
    for (int j = 2; j < 8; j++) {
        tab[j] = tab[j - 1];
        PT(add_aff)(&tab[j], p);
    }
    signed_digits(dg, k, 4, PT_SP_NWIN);
    PT(set_inf)(&t);
    for (int w = PT_SP_NWIN - 1; w >= 0; w--) {
        for (int b = 0; b < 4; b++) PT(dbl)(&t, &t);
        int d = dg[w];
        if (d > 0) {
            PT(add)(&t, &tab[d - 1]);
        } else if (d < 0) {
            PT(jac) neg = tab[-d - 1];
            F_NEG(&neg.y, &neg.y);
            PT(add)(&t, &neg);
        }
    }
    PT(add)(r, &t);
}

static void PT(sp_range)(void *vctx, size_t lo, size_t hi) {
    PT(sp_ctx) *ctx = vctx;
    PT(jac) sum[PT_SP_CHUNK];
    PT(aff) res[PT_SP_CHUNK];
    F scratch[PT_SP_CHUNK];
    fe r_minus_1 = {{R_P[0] - 1, R_P[1], R_P[2], R_P[3]}};
    for (size_t c0 = lo; c0 < hi; c0 += PT_SP_CHUNK) {
        size_t m = hi - c0 < PT_SP_CHUNK ? hi - c0 : PT_SP_CHUNK;
        for (size_t k = 0; k < m; k++) {
            size_t c = c0 + k;
            PT(from_aff)(&sum[k], &ctx->acc[c]);
            for (uint32_t j = ctx->start[c]; j < ctx->start[c + 1]; j++) {
                uint32_t e = ctx->order[j];
                const PT(aff) *p = &ctx->pts[PT(sp_rd32)(ctx->rows + 4 * (size_t)e)];
                fe v;
                fe_load(&v, ctx->coeffs + 32 * (size_t)e);
                if (fe_is_zero(&v) || PT(aff_is_inf)(p)) continue;
                if (v.l[0] == 1 && !(v.l[1] | v.l[2] | v.l[3])) {
                    PT(add_aff)(&sum[k], p);
                } else if (fe_eq(&v, &r_minus_1)) {
                    PT(aff) neg;
                    PT(aff_neg)(&neg, p);
                    PT(add_aff)(&sum[k], &neg);
                } else {
                    PT(sp_add_mul)(&sum[k], p, &v);
                }
            }
        }
        PT(batch_to_aff)(res, sum, m, scratch);
        for (size_t k = 0; k < m; k++) PT(encode)(ctx->out + (c0 + k) * 2 * F_BYTES, &res[k]);
    }
}

/* out (nout points) = acc + the sparse product; on failure *what names the input (0 acc,
 * 1 points, 2 entries) and *bad the index. */
static bn_status PT(sparse_msm)(const uint8_t *acc, size_t nout, const uint8_t *points,
                                size_t npts, const uint8_t *rows, const uint8_t *cols,
                                const uint8_t *coeffs, size_t m, uint8_t *out, int threads,
                                size_t *bad, int *what) {
    *what = 2;
    for (size_t e = 0; e < m; e++) {
        fe v;
        if (PT(sp_rd32)(rows + 4 * e) >= npts || PT(sp_rd32)(cols + 4 * e) >= nout) {
            *bad = e;
            return BN_ERR_RANGE;
        }
        if (!fr_load_checked(&v, coeffs + 32 * e)) {
            *bad = e;
            return BN_ERR_SCALAR;
        }
    }
    if (m > UINT32_MAX) return BN_ERR_ARG;
    PT(aff) *a = malloc(sizeof(PT(aff)) * (nout ? nout : 1));
    PT(aff) *p = malloc(sizeof(PT(aff)) * (npts ? npts : 1));
    uint32_t *start = calloc(nout + 1, sizeof(uint32_t));
    uint32_t *order = malloc(sizeof(uint32_t) * (m ? m : 1));
    bn_status st = (a && p && start && order) ? BN_OK : BN_ERR_NOMEM;
    if (st == BN_OK) {
        *what = 0;
        st = PT(decode_all)(a, acc, nout, threads, bad);
    }
    if (st == BN_OK) {
        *what = 1;
        st = PT(decode_all)(p, points, npts, threads, bad);
    }
    if (st == BN_OK) {
        for (size_t e = 0; e < m; e++) start[PT(sp_rd32)(cols + 4 * e) + 1]++;
        for (size_t c = 0; c < nout; c++) start[c + 1] += start[c];
        uint32_t *fill = malloc(sizeof(uint32_t) * (nout ? nout : 1));
        if (!fill) {
            st = BN_ERR_NOMEM;
        } else {
            memcpy(fill, start, sizeof(uint32_t) * nout);
            for (size_t e = 0; e < m; e++) order[fill[PT(sp_rd32)(cols + 4 * e)]++] = (uint32_t)e;
            free(fill);
            PT(sp_ctx) ctx = {p, a, rows, coeffs, start, order, out};
            bn_par_range(nout, nout >= 256 ? threads : 1, PT(sp_range), &ctx);
        }
    }
    free(a);
    free(p);
    free(start);
    free(order);
    return st;
}

#undef PT_SP_CHUNK
#undef PT_SP_NWIN
