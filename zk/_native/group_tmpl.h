/* Short-Weierstrass group y^2 = x^3 + b (a = 0) over a field F, instantiated
 * twice by bn254.c (G1 over Fq, G2 over Fq2). Before including, define:
 *   PT(name)    prefix token paste, e.g. g1_##name
 *   F           field element type;   F_BYTES encoded size of one coordinate
 *   F_ADD F_SUB F_DBL F_NEG F_MUL F_SQR F_ISZERO F_EQ F_INV   (F ops)
 *   F_ONE       a const F holding 1 (Montgomery form)
 *   F_B         pointer to the curve constant b
 *   F_DECODE(r, bytes) -> 0 if some coordinate is >= q (result in Montgomery form)
 *   F_BATCH_INV(x, scratch, k)  x[i] = 1 / x[i] for k non-zero elements (scratch: k F)
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

/* ---- Pippenger MSM ------------------------------------------------------ *
 * Scalars are classified first: zeros are skipped, ones are summed directly
 * (bit-heavy witnesses are mostly 0/1), the rest go through signed-digit
 * Pippenger with the number of windows taken from their largest bit length.
 * Buckets are accumulated in affine form, up to PT_MSM_BATCH additions at a
 * time sharing one inversion (Montgomery's trick). A point whose bucket is
 * already queued in the current batch is deferred to the next batch; additions
 * that would double or cancel (equal x), and deferrals beyond the list's
 * capacity, go to a Jacobian side bucket, so every case stays exact. Windows
 * are the parallel tasks. */
#define PT_MSM_BATCH 1024
#define PT_MSM_AHEAD 16

typedef struct {
    PT(aff) *bk;       /* affine buckets */
    PT(jac) *jb;       /* Jacobian side buckets (conflicts, doublings, cancellations) */
    uint8_t *state;    /* 0 empty, 1 holds a point, |2 queued in the current batch */
    uint32_t *qb;      /* queued bucket indices */
    PT(aff) *qp;       /* queued points */
    PT(aff) *dp, *tp;  /* deferred points (and a copy while re-routing them) */
    uint32_t *db, *tb; /* their buckets */
    F *dx, *pre;       /* x differences and prefix products */
} PT(msm_ws);

typedef struct {
    const PT(aff) *pts;
    const int16_t *digits; /* [window][point] */
    size_t n, batch;
    int c, nwin;
    PT(jac) *win;          /* per-window sums */
    PT(msm_ws) *ws;        /* per worker */
} PT(msm_ctx);

/* Applies the queued affine additions bk[qb[i]] += qp[i] (all x differ): the x
 * differences are inverted together (F_BATCH_INV, one field inversion), then each
 * bucket takes its chord addition. */
static void PT(msm_flush)(PT(msm_ws) *ws, size_t k) {
    if (k == 0) return;
    F lam, t, x3;
    F_BATCH_INV(ws->dx, ws->pre, k);
    for (size_t i = 0; i < k; i++) {
        uint32_t b = ws->qb[i];
        PT(aff) *p = &ws->bk[b];
        const PT(aff) *q = &ws->qp[i];
        F_SUB(&t, &q->y, &p->y);
        F_MUL(&lam, &t, &ws->dx[i]);
        F_SQR(&x3, &lam);
        F_SUB(&x3, &x3, &p->x);
        F_SUB(&x3, &x3, &q->x);
        F_SUB(&t, &p->x, &x3);
        F_MUL(&t, &lam, &t);
        F_SUB(&p->y, &t, &p->y);
        p->x = x3;
        ws->state[b] = 1;
    }
}

/* Routes q into bucket b: first point stored, distinct x queued for the batch,
 * a bucket already queued defers q to after the flush (or, with the deferral list
 * full, and for doublings/cancellations, adds q into the Jacobian side bucket). */
INLINE void PT(msm_put)(PT(msm_ws) *ws, const PT(aff) *q, uint32_t b, size_t *k, size_t *ndef,
                        size_t cap) {
    uint8_t s = ws->state[b];
    if (s == 0) {
        ws->bk[b] = *q;
        ws->state[b] = 1;
    } else if (s == 3) {
        if (*ndef < cap) {
            ws->dp[*ndef] = *q;
            ws->db[*ndef] = b;
            ++*ndef;
        } else {
            PT(add_aff)(&ws->jb[b], q);
        }
    } else if (F_EQ(&ws->bk[b].x, &q->x)) {
        PT(add_aff)(&ws->jb[b], q);
    } else {
        F_SUB(&ws->dx[*k], &q->x, &ws->bk[b].x);
        ws->qb[*k] = b;
        ws->qp[*k] = *q;
        ws->state[b] = 3;
        ++*k;
    }
}

/* Flushes the batch and re-routes the deferred points into the next one; with
 * final set, repeats until nothing is queued or deferred. */
static void PT(msm_drain)(PT(msm_ws) *ws, size_t *k, size_t *ndef, size_t batch, int final) {
    do {
        PT(msm_flush)(ws, *k);
        *k = 0;
        size_t nd = *ndef;
        *ndef = 0;
        memcpy(ws->tp, ws->dp, sizeof(PT(aff)) * nd);
        memcpy(ws->tb, ws->db, sizeof(uint32_t) * nd);
        for (size_t j = 0; j < nd; j++) PT(msm_put)(ws, &ws->tp[j], ws->tb[j], k, ndef, batch);
    } while ((final && *k > 0) || *k == batch);
}

static void PT(msm_window)(void *vctx, size_t w, int worker) {
    PT(msm_ctx) *ctx = vctx;
    size_t nb = (size_t)1 << (ctx->c - 1), batch = ctx->batch, k = 0, ndef = 0;
    PT(msm_ws) *ws = &ctx->ws[worker];
    memset(ws->state, 0, nb);
    memset(ws->jb, 0, sizeof(PT(jac)) * nb); /* Z = 0: infinity */
    const int16_t *dg = ctx->digits + w * ctx->n;
    for (size_t i = 0; i < ctx->n; i++) {
        if (i + PT_MSM_AHEAD < ctx->n) { /* the bucket a few points ahead: fetch it early */
            int da = dg[i + PT_MSM_AHEAD];
            if (da) __builtin_prefetch(&ws->bk[(da > 0 ? da : -da) - 1]);
        }
        int d = dg[i];
        if (d == 0) continue;
        PT(aff) q;
        uint32_t b;
        if (d > 0) {
            q = ctx->pts[i];
            b = (uint32_t)(d - 1);
        } else {
            PT(aff_neg)(&q, &ctx->pts[i]);
            b = (uint32_t)(-d - 1);
        }
        if (!batch) {
            PT(add_aff)(&ws->jb[b], &q);
            continue;
        }
        PT(msm_put)(ws, &q, b, &k, &ndef, batch);
        if (k == batch) PT(msm_drain)(ws, &k, &ndef, batch, 0);
    }
    if (batch) PT(msm_drain)(ws, &k, &ndef, batch, 1);
    /* sum_b (b+1) * bucket[b] via running sums from the top */
    PT(jac) run, tot;
    PT(set_inf)(&run);
    PT(set_inf)(&tot);
    for (size_t b = nb; b-- > 0;) {
        if (ws->state[b]) PT(add_aff)(&run, &ws->bk[b]);
        PT(add)(&run, &ws->jb[b]);
        PT(add)(&tot, &run);
    }
    ctx->win[w] = tot;
}

/* Batch size for 2^(c-1) buckets (0: Jacobian accumulation only). Deferred points
 * absorb bucket conflicts, so the batch may be half the bucket count. */
static size_t PT(msm_batch)(int c) {
    size_t nb = (size_t)1 << (c - 1), b = nb / 2;
    if (b > PT_MSM_BATCH) b = PT_MSM_BATCH;
    return b < 16 ? 0 : b;
}

/* Work estimate (in field multiplications) of each window size: rounds of windows
 * per worker times (point additions incl. the shared inversion + bucket sums). */
static int PT(msm_window_bits)(size_t n, int bits, int threads) {
    int best = 2;
    double best_cost = 1e300;
    for (int c = 2; c <= 16; c++) {
        int nwin = (bits + 2 + c - 1) / c;
        int rounds = (nwin + threads - 1) / threads;
        double nb = (double)((size_t)1 << (c - 1));
        size_t batch = PT(msm_batch)(c);
        double per_point = batch ? 7.0 + 300.0 / (double)batch : 12.0;
        double cost = (double)rounds * ((double)n * per_point + nb * 28.0);
        if (cost < best_cost) {
            best_cost = cost;
            best = c;
        }
    }
    return best;
}

static bn_status PT(msm_points)(PT(jac) *out, const PT(aff) *pts, const int16_t *digits,
                                size_t n, int c, int nwin, int threads) {
    size_t nb = (size_t)1 << (c - 1);
    size_t batch = PT(msm_batch)(c);
    int workers = threads < nwin ? threads : nwin;
    PT(jac) *win = malloc(sizeof(PT(jac)) * (size_t)nwin);
    PT(msm_ws) *ws = calloc((size_t)workers, sizeof *ws);
    bn_status st = (win && ws) ? BN_OK : BN_ERR_NOMEM;
    for (int t = 0; st == BN_OK && t < workers; t++) {
        size_t q = batch ? batch : 1;
        ws[t].bk = malloc(sizeof(PT(aff)) * nb);
        ws[t].jb = malloc(sizeof(PT(jac)) * nb);
        ws[t].state = malloc(nb);
        ws[t].qb = malloc(sizeof(uint32_t) * q);
        ws[t].qp = malloc(sizeof(PT(aff)) * q);
        ws[t].dx = malloc(sizeof(F) * q);
        ws[t].pre = malloc(sizeof(F) * q);
        ws[t].dp = malloc(sizeof(PT(aff)) * q);
        ws[t].tp = malloc(sizeof(PT(aff)) * q);
        ws[t].db = malloc(sizeof(uint32_t) * q);
        ws[t].tb = malloc(sizeof(uint32_t) * q);
        if (!ws[t].bk || !ws[t].jb || !ws[t].state || !ws[t].qb || !ws[t].qp || !ws[t].dx ||
            !ws[t].pre || !ws[t].dp || !ws[t].tp || !ws[t].db || !ws[t].tb)
            st = BN_ERR_NOMEM;
    }
    if (st == BN_OK) {
        PT(msm_ctx) ctx = {pts, digits, n, batch, c, nwin, win, ws};
        bn_par_tasks((size_t)nwin, workers, PT(msm_window), &ctx);
        PT(jac) acc = win[nwin - 1];
        for (int w = nwin - 2; w >= 0; w--) {
            for (int k = 0; k < c; k++) PT(dbl)(&acc, &acc);
            PT(add)(&acc, &win[w]);
        }
        *out = acc;
    }
    for (int t = 0; ws && t < workers; t++) {
        free(ws[t].bk);
        free(ws[t].jb);
        free(ws[t].state);
        free(ws[t].qb);
        free(ws[t].qp);
        free(ws[t].dx);
        free(ws[t].pre);
        free(ws[t].dp);
        free(ws[t].tp);
        free(ws[t].db);
        free(ws[t].tb);
    }
    free(ws);
    free(win);
    return st;
}

/* Sum of the points whose scalar is one, in per-task partial sums. */
typedef struct {
    const PT(aff) *pts;
    const uint32_t *idx;
    size_t n, ntasks;
    PT(jac) *part;
} PT(ones_ctx);

static void PT(ones_task)(void *vctx, size_t t, int worker) {
    (void)worker;
    PT(ones_ctx) *ctx = vctx;
    size_t lo = ctx->n * t / ctx->ntasks, hi = ctx->n * (t + 1) / ctx->ntasks;
    PT(jac) acc;
    PT(set_inf)(&acc);
    for (size_t i = lo; i < hi; i++) PT(add_aff)(&acc, &ctx->pts[ctx->idx[i]]);
    ctx->part[t] = acc;
}

/* Digits of the selected scalars (raw little-endian words). */
typedef struct {
    int16_t *digits;
    const uint8_t *scalars;
    const uint32_t *idx;
    size_t m;
    int c, nwin;
} PT(dig_ctx);

static void PT(dig_range)(void *vctx, size_t lo, size_t hi) {
    PT(dig_ctx) *ctx = vctx;
    int16_t dg[130];
    for (size_t k = lo; k < hi; k++) {
        fe s;
        fe_load(&s, ctx->scalars + 32 * (size_t)ctx->idx[k]);
        signed_digits(dg, &s, ctx->c, ctx->nwin);
        for (int w = 0; w < ctx->nwin; w++) ctx->digits[(size_t)w * ctx->m + k] = dg[w];
    }
}

static bn_status PT(msm)(const uint8_t *points, const uint8_t *scalars, size_t n, uint8_t *out,
                  int threads, size_t *bad) {
    PT(jac) acc;
    PT(set_inf)(&acc);
    bn_status st = BN_OK;
    if (threads < 1) threads = 1;
    if (n > UINT32_MAX) return BN_ERR_ARG;
    uint32_t *ones = NULL, *rest = NULL;
    size_t nones = 0, nrest = 0;
    int bits = 0;
    PT(aff) *pts = NULL;
    int16_t *digits = NULL;
    if (n > 0) {
        ones = malloc(sizeof(uint32_t) * n);
        rest = malloc(sizeof(uint32_t) * n);
        pts = malloc(sizeof(PT(aff)) * n);
        if (!ones || !rest || !pts) st = BN_ERR_NOMEM;
    }
    /* classify the scalars (the first one >= r is reported) */
    for (size_t i = 0; st == BN_OK && i < n; i++) {
        fe s;
        if (!fr_load_checked(&s, scalars + 32 * i)) {
            *bad = i;
            st = BN_ERR_SCALAR;
            break;
        }
        if ((s.l[1] | s.l[2] | s.l[3]) == 0 && s.l[0] <= 1) {
            if (s.l[0] == 1) ones[nones++] = (uint32_t)i;
            continue;
        }
        rest[nrest++] = (uint32_t)i;
        int b = s.l[3] ? 192 + 64 - __builtin_clzll(s.l[3])
              : s.l[2] ? 128 + 64 - __builtin_clzll(s.l[2])
              : s.l[1] ? 64 + 64 - __builtin_clzll(s.l[1])
                       : 64 - __builtin_clzll(s.l[0]);
        if (b > bits) bits = b;
    }
    /* every point is validated, whatever its scalar */
    if (st == BN_OK && n > 0) st = PT(decode_all)(pts, points, n, threads, bad);
    if (st == BN_OK && nones > 0) {
        size_t ntasks = nones >= 4096 ? (size_t)threads : 1;
        PT(jac) part[256];
        PT(ones_ctx) octx = {pts, ones, nones, ntasks, part};
        bn_par_tasks(ntasks, (int)ntasks, PT(ones_task), &octx);
        for (size_t t = 0; t < ntasks; t++) PT(add)(&acc, &part[t]);
    }
    if (st == BN_OK) { /* points at infinity add nothing (and have no affine form) */
        size_t m = 0;
        for (size_t k = 0; k < nrest; k++) {
            if (!PT(aff_is_inf)(&pts[rest[k]])) rest[m++] = rest[k];
        }
        nrest = m;
    }
    if (st == BN_OK && nrest > 0) {
        int c = PT(msm_window_bits)(nrest, bits, threads);
        int nwin = (bits + 2 + c - 1) / c;
        digits = malloc(sizeof(int16_t) * (size_t)nwin * nrest);
        if (!digits) st = BN_ERR_NOMEM;
        if (st == BN_OK) {
            PT(dig_ctx) dctx = {digits, scalars, rest, nrest, c, nwin};
            bn_par_range(nrest, nrest >= 4096 ? threads : 1, PT(dig_range), &dctx);
            /* gather the selected points to the front, in order */
            for (size_t k = 0; k < nrest; k++) pts[k] = pts[rest[k]];
            PT(jac) r;
            st = PT(msm_points)(&r, pts, digits, nrest, c, nwin, threads);
            if (st == BN_OK) PT(add)(&acc, &r);
        }
    }
    free(ones);
    free(rest);
    free(digits);
    free(pts);
    if (st == BN_OK) {
        PT(aff) a;
        PT(to_aff)(&a, &acc);
        PT(encode)(out, &a);
    }
    return st;
}

#undef PT_MSM_BATCH
#undef PT_MSM_AHEAD

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

/* A chunk of scalars walks the windows in lockstep with affine accumulators: each
 * window's additions share one inversion (Montgomery's trick). An addition whose
 * x-coordinates coincide (a doubling or a cancellation) goes to a Jacobian side sum
 * instead, so every case stays exact; the result is accumulator + side sum. */
static void PT(bm_range)(void *vctx, size_t lo, size_t hi) {
    PT(bm_ctx) *ctx = vctx;
    PT(aff) acc[PT_BM_CHUNK], tq[PT_BM_CHUNK];
    PT(jac) side[PT_BM_CHUNK];
    F dx[PT_BM_CHUNK], pre[PT_BM_CHUNK];
    uint32_t qi[PT_BM_CHUNK];
    uint8_t empty[PT_BM_CHUNK];
    int16_t dg[PT_BM_CHUNK][64];
    for (size_t i = lo; i < hi; i += PT_BM_CHUNK) {
        size_t m = hi - i < PT_BM_CHUNK ? hi - i : PT_BM_CHUNK;
        for (size_t k = 0; k < m; k++) {
            fe s;
            fe_load(&s, ctx->scalars + 32 * (i + k));
            signed_digits(dg[k], &s, ctx->c, ctx->nwin);
            empty[k] = 1;
            PT(set_inf)(&side[k]);
        }
        for (int w = 0; w < ctx->nwin; w++) {
            const PT(aff) *row = ctx->tab + (size_t)w * ctx->nb;
            size_t nq = 0;
            for (size_t k = 0; k < m; k++) {
                int d = dg[k][w];
                if (d == 0) continue;
                PT(aff) t = row[(d > 0 ? d : -d) - 1];
                if (d < 0) F_NEG(&t.y, &t.y);
                if (empty[k]) {
                    acc[k] = t;
                    empty[k] = 0;
                } else if (F_EQ(&acc[k].x, &t.x)) {
                    PT(add_aff)(&side[k], &t);
                } else {
                    tq[nq] = t;
                    qi[nq] = (uint32_t)k;
                    F_SUB(&dx[nq], &t.x, &acc[k].x);
                    nq++;
                }
            }
            if (nq == 0) continue;
            F prod = F_ONE, inv, lam, t, x3;
            for (size_t j = 0; j < nq; j++) {
                pre[j] = prod;
                F_MUL(&prod, &prod, &dx[j]);
            }
            F_INV(&inv, &prod);
            for (size_t j = nq; j-- > 0;) {
                PT(aff) *a = &acc[qi[j]];
                F_MUL(&t, &inv, &pre[j]);          /* 1 / dx[j] */
                F_MUL(&inv, &inv, &dx[j]);
                F_SUB(&lam, &tq[j].y, &a->y);
                F_MUL(&lam, &lam, &t);
                F_SQR(&x3, &lam);
                F_SUB(&x3, &x3, &a->x);
                F_SUB(&x3, &x3, &tq[j].x);
                F_SUB(&t, &a->x, &x3);
                F_MUL(&t, &t, &lam);
                F_SUB(&a->y, &t, &a->y);
                a->x = x3;
            }
        }
        for (size_t k = 0; k < m; k++) {
            uint8_t *o = ctx->out + (i + k) * 2 * F_BYTES;
            if (!PT(is_inf)(&side[k])) {           /* rare: fold the side sum in */
                if (!empty[k]) PT(add_aff)(&side[k], &acc[k]);
                PT(to_aff)(&acc[k], &side[k]);
                empty[k] = PT(aff_is_inf)(&acc[k]);
            }
            if (empty[k]) memset(o, 0, 2 * F_BYTES);
            else PT(encode)(o, &acc[k]);
        }
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
