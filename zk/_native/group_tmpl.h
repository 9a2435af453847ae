/* Short-Weierstrass group y^2 = x^3 + b (a = 0) over a field F, instantiated
 * twice by bn254.c (G1 over Fq, G2 over Fq2). Before including, define:
 *   PT(name)    prefix token paste, e.g. g1_##name
 *   F           field element type;   F_BYTES encoded size of one coordinate
 *   F_ADD F_SUB F_DBL F_NEG F_MUL F_SQR F_ISZERO F_EQ F_INV   (F ops)
 *   F_ONE       a const F holding 1 (Montgomery form)
 *   F_B         pointer to the curve constant b
 *   F_DECODE(r, bytes) -> 0 if some coordinate is >= q (result in Montgomery form)
 *   F_ENCODE(bytes, a)
 * Points: affine (infinity = x = y = 0, never on these curves) and Jacobian
 * (X/Z^2, Y/Z^3; infinity Z = 0).
 */

typedef struct { F x, y; } PT(aff);
typedef struct { F x, y, z; } PT(jac);

INLINE int PT(aff_is_inf)(const PT(aff) *p) { return F_ISZERO(&p->x) && F_ISZERO(&p->y); }
INLINE int PT(is_inf)(const PT(jac) *p) { return F_ISZERO(&p->z); }
INLINE void PT(set_inf)(PT(jac) *p) { memset(p, 0, sizeof *p); }

INLINE void PT(from_aff)(PT(jac) *r, const PT(aff) *a) {
    if (PT(aff_is_inf)(a)) {
        PT(set_inf)(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    r->z = F_ONE;
}

INLINE void PT(aff_neg)(PT(aff) *r, const PT(aff) *a) {
    r->x = a->x;
    F_NEG(&r->y, &a->y);
}

/* r = 2p (dbl-2009-l); r may alias p. */
INLINE void PT(dbl)(PT(jac) *r, const PT(jac) *p) {
    F a, b, c, d, e, f, t;
    F_SQR(&a, &p->x);
    F_SQR(&b, &p->y);
    F_SQR(&c, &b);
    F_ADD(&d, &p->x, &b);
    F_SQR(&d, &d);
    F_SUB(&d, &d, &a);
    F_SUB(&d, &d, &c);
    F_DBL(&d, &d);
    F_DBL(&e, &a);
    F_ADD(&e, &e, &a);
    F_SQR(&f, &e);
    F_MUL(&t, &p->y, &p->z);
    F_DBL(&r->z, &t);
    F_DBL(&t, &d);
    F_SUB(&r->x, &f, &t);
    F_SUB(&t, &d, &r->x);
    F_MUL(&t, &e, &t);
    F_DBL(&c, &c);
    F_DBL(&c, &c);
    F_DBL(&c, &c);
    F_SUB(&r->y, &t, &c);
}

/* r += q for affine q (madd-2007-bl), handling infinity and doubling. */
static inline void PT(add_aff)(PT(jac) *r, const PT(aff) *q) {
    if (PT(aff_is_inf)(q)) return;
    if (PT(is_inf)(r)) {
        PT(from_aff)(r, q);
        return;
    }
    F z1z1, u2, s2, h, rr, hh, i, j, v, t;
    F_SQR(&z1z1, &r->z);
    F_MUL(&u2, &q->x, &z1z1);
    F_MUL(&s2, &q->y, &r->z);
    F_MUL(&s2, &s2, &z1z1);
    F_SUB(&h, &u2, &r->x);
    F_SUB(&rr, &s2, &r->y);
    if (F_ISZERO(&h)) {
        if (F_ISZERO(&rr)) PT(dbl)(r, r);
        else PT(set_inf)(r);
        return;
    }
    F_DBL(&rr, &rr);
    F_SQR(&hh, &h);
    F_DBL(&i, &hh);
    F_DBL(&i, &i);
    F_MUL(&j, &h, &i);
    F_MUL(&v, &r->x, &i);
    /* Z3 = (Z1 + H)^2 - Z1Z1 - HH */
    F_ADD(&t, &r->z, &h);
    F_SQR(&t, &t);
    F_SUB(&t, &t, &z1z1);
    F_SUB(&r->z, &t, &hh);
    /* Y1 * J before X1, Y1 are overwritten */
    F_MUL(&t, &r->y, &j);
    F_DBL(&t, &t);
    F_SQR(&r->x, &rr);
    F_SUB(&r->x, &r->x, &j);
    F_SUB(&r->x, &r->x, &v);
    F_SUB(&r->x, &r->x, &v);
    F_SUB(&v, &v, &r->x);
    F_MUL(&v, &rr, &v);
    F_SUB(&r->y, &v, &t);
}

/* r += q for Jacobian q (add-2007-bl). */
static inline void PT(add)(PT(jac) *r, const PT(jac) *q) {
    if (PT(is_inf)(q)) return;
    if (PT(is_inf)(r)) {
        *r = *q;
        return;
    }
    F z1z1, z2z2, u1, u2, s1, s2, h, rr, i, j, v, t;
    F_SQR(&z1z1, &r->z);
    F_SQR(&z2z2, &q->z);
    F_MUL(&u1, &r->x, &z2z2);
    F_MUL(&u2, &q->x, &z1z1);
    F_MUL(&s1, &r->y, &q->z);
    F_MUL(&s1, &s1, &z2z2);
    F_MUL(&s2, &q->y, &r->z);
    F_MUL(&s2, &s2, &z1z1);
    F_SUB(&h, &u2, &u1);
    F_SUB(&rr, &s2, &s1);
    if (F_ISZERO(&h)) {
        if (F_ISZERO(&rr)) PT(dbl)(r, r);
        else PT(set_inf)(r);
        return;
    }
    F_DBL(&rr, &rr);
    F_DBL(&i, &h);
    F_SQR(&i, &i);
    F_MUL(&j, &h, &i);
    F_MUL(&v, &u1, &i);
    F_ADD(&t, &r->z, &q->z);
    F_SQR(&t, &t);
    F_SUB(&t, &t, &z1z1);
    F_SUB(&t, &t, &z2z2);
    F_MUL(&r->z, &t, &h);
    F_SQR(&r->x, &rr);
    F_SUB(&r->x, &r->x, &j);
    F_SUB(&r->x, &r->x, &v);
    F_SUB(&r->x, &r->x, &v);
    F_SUB(&v, &v, &r->x);
    F_MUL(&v, &rr, &v);
    F_MUL(&t, &s1, &j);
    F_DBL(&t, &t);
    F_SUB(&r->y, &v, &t);
}

static void PT(to_aff)(PT(aff) *r, const PT(jac) *p) {
    if (PT(is_inf)(p)) {
        memset(r, 0, sizeof *r);
        return;
    }
    F zi, zi2;
    F_INV(&zi, &p->z);
    F_SQR(&zi2, &zi);
    F_MUL(&r->x, &p->x, &zi2);
    F_MUL(&zi, &zi, &zi2);
    F_MUL(&r->y, &p->y, &zi);
}

/* Montgomery's trick: n Jacobian points to affine with one inversion.
 * scratch holds n field elements. */
static void PT(batch_to_aff)(PT(aff) *out, const PT(jac) *in, size_t n, F *scratch) {
    F acc = F_ONE, inv, zi, zi2;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        if (!PT(is_inf)(&in[i])) F_MUL(&acc, &acc, &in[i].z);
    }
    F_INV(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        if (PT(is_inf)(&in[i])) {
            memset(&out[i], 0, sizeof out[i]);
            continue;
        }
        F_MUL(&zi, &inv, &scratch[i]);
        F_MUL(&inv, &inv, &in[i].z);
        F_SQR(&zi2, &zi);
        F_MUL(&out[i].x, &in[i].x, &zi2);
        F_MUL(&zi, &zi, &zi2);
        F_MUL(&out[i].y, &in[i].y, &zi);
    }
}

static int PT(on_curve)(const PT(aff) *p) {
    F l, r;
    F_SQR(&l, &p->y);
    F_SQR(&r, &p->x);
    F_MUL(&r, &r, &p->x);
    F_ADD(&r, &r, F_B);
    return F_EQ(&l, &r);
}

/* Decodes one point (infinity allowed) into Montgomery affine form. */
static bn_status PT(decode)(PT(aff) *r, const uint8_t *b) {
    memset(r, 0, sizeof *r);
    if (!F_DECODE(&r->x, b) || !F_DECODE(&r->y, b + F_BYTES)) return BN_ERR_COORD;
    if (PT(aff_is_inf)(r)) return BN_OK;
    return PT(on_curve)(r) ? BN_OK : BN_ERR_CURVE;
}

static void PT(encode)(uint8_t *b, const PT(aff) *a) {
    F_ENCODE(b, &a->x);
    F_ENCODE(b + F_BYTES, &a->y);
}

static __attribute__((unused)) int PT(jac_eq)(const PT(jac) *a, const PT(jac) *b) {
    int ia = PT(is_inf)(a), ib = PT(is_inf)(b);
    if (ia || ib) return ia && ib;
    F z1z1, z2z2, s, t;
    F_SQR(&z1z1, &a->z);
    F_SQR(&z2z2, &b->z);
    F_MUL(&s, &a->x, &z2z2);
    F_MUL(&t, &b->x, &z1z1);
    if (!F_EQ(&s, &t)) return 0;
    F_MUL(&s, &a->y, &z2z2);
    F_MUL(&s, &s, &b->z);
    F_MUL(&t, &b->y, &z1z1);
    F_MUL(&t, &t, &a->z);
    return F_EQ(&s, &t);
}

/* r = k * p, k a raw little-endian integer of nbits bits (double-and-add). */
static __attribute__((unused)) void PT(mul_small)(PT(jac) *r, const PT(aff) *p, const uint64_t *k, int nbits) {
    PT(jac) acc;
    PT(set_inf)(&acc);
    for (int i = nbits - 1; i >= 0; i--) {
        PT(dbl)(&acc, &acc);
        if ((k[i >> 6] >> (i & 63)) & 1) PT(add_aff)(&acc, p);
    }
    *r = acc;
}

/* ---- decoding many points in parallel ----------------------------------- */
typedef struct {
    const uint8_t *in;
    PT(aff) *out;
    size_t bad;
} PT(decode_ctx);

static void PT(decode_range)(void *vctx, size_t lo, size_t hi) {
    PT(decode_ctx) *ctx = vctx;
    for (size_t i = lo; i < hi; i++) {
        bn_status st = PT(decode)(&ctx->out[i], ctx->in + i * 2 * F_BYTES);
        if (st != BN_OK) {
            bn_note_bad(&ctx->bad, i);
            return;
        }
    }
}

static bn_status PT(decode_all)(PT(aff) *out, const uint8_t *in, size_t n, int threads,
                                size_t *bad) {
    PT(decode_ctx) ctx = {in, out, SIZE_MAX};
    bn_par_range(n, n >= 4096 ? threads : 1, PT(decode_range), &ctx);
    if (ctx.bad == SIZE_MAX) return BN_OK;
    /* re-decode the first failure serially so the reported code is exact */
    *bad = ctx.bad;
    return PT(decode)(&out[ctx.bad], in + ctx.bad * 2 * F_BYTES);
}

/* ---- Pippenger MSM ------------------------------------------------------ */
typedef struct {
    const PT(aff) *pts;
    const int16_t *digits; /* [window][point] */
    size_t n;
    int c, nwin;
    PT(jac) *win;          /* per-window sums */
    PT(jac) **buckets;     /* per-worker bucket arrays, 2^(c-1) each */
} PT(msm_ctx);

static void PT(msm_window)(void *vctx, size_t w, int worker) {
    PT(msm_ctx) *ctx = vctx;
    size_t nb = (size_t)1 << (ctx->c - 1);
    PT(jac) *bk = ctx->buckets[worker];
    for (size_t b = 0; b < nb; b++) PT(set_inf)(&bk[b]);
    const int16_t *dg = ctx->digits + w * ctx->n;
    for (size_t i = 0; i < ctx->n; i++) {
        int d = dg[i];
        if (d > 0) {
            PT(add_aff)(&bk[d - 1], &ctx->pts[i]);
        } else if (d < 0) {
            PT(aff) neg;
            PT(aff_neg)(&neg, &ctx->pts[i]);
            PT(add_aff)(&bk[-d - 1], &neg);
        }
    }
    /* sum_b (b+1) * bk[b] via running sums from the top */
    PT(jac) run, tot;
    PT(set_inf)(&run);
    PT(set_inf)(&tot);
    for (size_t b = nb; b-- > 0;) {
        PT(add)(&run, &bk[b]);
        PT(add)(&tot, &run);
    }
    ctx->win[w] = tot;
}

static bn_status PT(msm_points)(PT(jac) *out, const PT(aff) *pts, const int16_t *digits,
                                size_t n, int c, int nwin, int threads) {
    size_t nb = (size_t)1 << (c - 1);
    int workers = threads < nwin ? threads : nwin;
    PT(jac) *win = malloc(sizeof(PT(jac)) * (size_t)nwin);
    PT(jac) **buckets = calloc((size_t)workers, sizeof *buckets);
    bn_status st = (win && buckets) ? BN_OK : BN_ERR_NOMEM;
    for (int t = 0; st == BN_OK && t < workers; t++) {
        buckets[t] = malloc(sizeof(PT(jac)) * nb);
        if (!buckets[t]) st = BN_ERR_NOMEM;
    }
    if (st == BN_OK) {
        PT(msm_ctx) ctx = {pts, digits, n, c, nwin, win, buckets};
        bn_par_tasks((size_t)nwin, workers, PT(msm_window), &ctx);
        PT(jac) acc = win[nwin - 1];
        for (int w = nwin - 2; w >= 0; w--) {
            for (int k = 0; k < c; k++) PT(dbl)(&acc, &acc);
            PT(add)(&acc, &win[w]);
        }
        *out = acc;
    }
    for (int t = 0; buckets && t < workers; t++) free(buckets[t]);
    free(buckets);
    free(win);
    return st;
}

static bn_status PT(msm)(const uint8_t *points, const uint8_t *scalars, size_t n, uint8_t *out,
                  int threads, size_t *bad) {
    PT(jac) acc;
    PT(set_inf)(&acc);
    bn_status st = BN_OK;
    if (n > 0) {
        int c = msm_window_bits(n, threads);
        int nwin = (256 + c - 1) / c;
        int16_t *digits = malloc(sizeof(int16_t) * (size_t)nwin * n);
        PT(aff) *pts = malloc(sizeof(PT(aff)) * n);
        if (!digits || !pts) st = BN_ERR_NOMEM;
        if (st == BN_OK) st = scalar_digits(digits, scalars, n, c, nwin, threads, bad);
        if (st == BN_OK) st = PT(decode_all)(pts, points, n, threads, bad);
        if (st == BN_OK) st = PT(msm_points)(&acc, pts, digits, n, c, nwin, threads);
        free(digits);
        free(pts);
    }
    if (st == BN_OK) {
        PT(aff) a;
        PT(to_aff)(&a, &acc);
        PT(encode)(out, &a);
    }
    return st;
}

/* ---- fixed-base batch multiplication ------------------------------------ */
typedef struct {
    PT(aff) base;          /* window 0 base */
    PT(aff) *wbase;        /* 2^(c j) * base, per window */
    PT(jac) *jtab;         /* [window][2^(c-1)] Jacobian table */
    PT(aff) *tab;          /* same, affine */
    const uint8_t *scalars;
    uint8_t *out;
    size_t n, nb;
    int c, nwin;
    bn_status err;
} PT(bm_ctx);

static void PT(bm_fill_window)(void *vctx, size_t w, int worker) {
    (void)worker;
    PT(bm_ctx) *ctx = vctx;
    PT(jac) *row = ctx->jtab + w * ctx->nb;
    PT(from_aff)(&row[0], &ctx->wbase[w]);
    for (size_t d = 1; d < ctx->nb; d++) {
        row[d] = row[d - 1];
        PT(add_aff)(&row[d], &ctx->wbase[w]);
    }
}

#define PT_BM_CHUNK 256

static void PT(bm_tab_to_aff)(void *vctx, size_t lo, size_t hi) {
    PT(bm_ctx) *ctx = vctx;
    F scratch[PT_BM_CHUNK];
    for (size_t i = lo; i < hi; i += PT_BM_CHUNK) {
        size_t m = hi - i < PT_BM_CHUNK ? hi - i : PT_BM_CHUNK;
        PT(batch_to_aff)(ctx->tab + i, ctx->jtab + i, m, scratch);
    }
}

static void PT(bm_range)(void *vctx, size_t lo, size_t hi) {
    PT(bm_ctx) *ctx = vctx;
    PT(jac) acc[PT_BM_CHUNK];
    PT(aff) aff[PT_BM_CHUNK];
    F scratch[PT_BM_CHUNK];
    int16_t dg[64];
    for (size_t i = lo; i < hi; i += PT_BM_CHUNK) {
        size_t m = hi - i < PT_BM_CHUNK ? hi - i : PT_BM_CHUNK;
        for (size_t k = 0; k < m; k++) {
            fe s;
            fe_load(&s, ctx->scalars + 32 * (i + k));
            signed_digits(dg, &s, ctx->c, ctx->nwin);
            PT(set_inf)(&acc[k]);
            for (int w = 0; w < ctx->nwin; w++) {
                int d = dg[w];
                const PT(aff) *row = ctx->tab + (size_t)w * ctx->nb;
                if (d > 0) {
                    PT(add_aff)(&acc[k], &row[d - 1]);
                } else if (d < 0) {
                    PT(aff) neg;
                    PT(aff_neg)(&neg, &row[-d - 1]);
                    PT(add_aff)(&acc[k], &neg);
                }
            }
        }
        PT(batch_to_aff)(aff, acc, m, scratch);
        for (size_t k = 0; k < m; k++) PT(encode)(ctx->out + (i + k) * 2 * F_BYTES, &aff[k]);
    }
}

static bn_status PT(batch_mul)(const uint8_t *base, const uint8_t *scalars, size_t n, uint8_t *out,
                        int threads, size_t *bad) {
    bn_status st = check_scalars(scalars, n, threads, bad);
    if (st != BN_OK) return st;
    PT(bm_ctx) ctx;
    memset(&ctx, 0, sizeof ctx);
    if (PT(decode)(&ctx.base, base) != BN_OK) {
        *bad = 0;
        return PT(decode)(&ctx.base, base);
    }
    if (n == 0) return BN_OK;
    if (PT(aff_is_inf)(&ctx.base)) {
        memset(out, 0, n * 2 * F_BYTES);
        return BN_OK;
    }
    ctx.c = fixed_base_window_bits(n);
    ctx.nwin = (256 + ctx.c - 1) / ctx.c;
    ctx.nb = (size_t)1 << (ctx.c - 1);
    ctx.scalars = scalars;
    ctx.out = out;
    ctx.n = n;
    size_t ntab = (size_t)ctx.nwin * ctx.nb;
    ctx.wbase = malloc(sizeof(PT(aff)) * (size_t)ctx.nwin);
    PT(jac) *wj = malloc(sizeof(PT(jac)) * (size_t)ctx.nwin);
    F *scratch = malloc(sizeof(F) * (size_t)ctx.nwin);
    ctx.jtab = malloc(sizeof(PT(jac)) * ntab);
    ctx.tab = malloc(sizeof(PT(aff)) * ntab);
    if (!ctx.wbase || !wj || !scratch || !ctx.jtab || !ctx.tab) {
        st = BN_ERR_NOMEM;
    } else {
        PT(from_aff)(&wj[0], &ctx.base);
        for (int w = 1; w < ctx.nwin; w++) {
            wj[w] = wj[w - 1];
            for (int k = 0; k < ctx.c; k++) PT(dbl)(&wj[w], &wj[w]);
        }
        PT(batch_to_aff)(ctx.wbase, wj, (size_t)ctx.nwin, scratch);
        bn_par_tasks((size_t)ctx.nwin, threads, PT(bm_fill_window), &ctx);
        bn_par_range(ntab, ntab >= 4096 ? threads : 1, PT(bm_tab_to_aff), &ctx);
        free(ctx.jtab);
        ctx.jtab = NULL;
        bn_par_range(n, n >= 64 ? threads : 1, PT(bm_range), &ctx);
    }
    free(ctx.wbase);
    free(wj);
    free(scratch);
    free(ctx.jtab);
    free(ctx.tab);
    return st;
}

#undef PT_BM_CHUNK
