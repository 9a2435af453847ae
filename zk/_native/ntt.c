/* Scalar-field kernels: radix-2 (coset) NTT, a*b - c, and sparse matrix-vector
 * products, all over Fr in Montgomery form. */
#include <stdlib.h>

#include "bn254_impl.h"

#define TWO_ADICITY 28
#define BLOCK_LOG 14 /* stages whose butterflies stay inside 2^14 words run per block */

static inline size_t bit_reverse(size_t i, int logn) {
    uint64_t v = i;
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    v = __builtin_bswap64(v);
    return logn ? (size_t)(v >> (64 - logn)) : 0;
}

/* Montgomery form of a small integer power base^e (e < 2^64). */
static void fr_pow_u64(fe *r, const fe *base, uint64_t e) { fr_pow(r, base, &e, 1); }

/* Primitive 2^logn-th root of unity: (5^((r-1)/2^28))^(2^(28-logn)). */
static void root_of_unity(fe *w, int logn) {
    fe five = {{5, 0, 0, 0}}, g;
    uint64_t e[4];
    for (int i = 0; i < 4; i++) {
        e[i] = (R_P[i] >> TWO_ADICITY) | (i < 3 ? R_P[i + 1] << (64 - TWO_ADICITY) : 0);
    }
    /* r - 1 has its low 28 bits clear, so shifting r itself gives (r-1)/2^28 */
    fr_to_mont(&g, &five);
    fr_pow(w, &g, e, 4);
    for (int i = logn; i < TWO_ADICITY; i++) fr_mul(w, w, w);
}

typedef struct {
    const uint8_t *in;
    uint8_t *out;
    fe *a, *tw;
    fe root, shift, scale; /* Montgomery form */
    size_t n, half, bad;
    int logn, use_shift;
} ntt_ctx;

/* tw[n/2 + k] = root^k; lower stages are derived by striding. */
static void twiddle_range(void *vctx, size_t lo, size_t hi) {
    ntt_ctx *c = vctx;
    fe p;
    fr_pow_u64(&p, &c->root, lo);
    for (size_t k = lo; k < hi; k++) {
        c->tw[c->half + k] = p;
        fr_mul(&p, &p, &c->root);
    }
}

/* a[rev(i)] = in[i] * shift^i (forward) or in[i] (inverse), checked < r. */
static void load_range(void *vctx, size_t lo, size_t hi) {
    ntt_ctx *c = vctx;
    fe p, x;
    if (c->use_shift) fr_pow_u64(&p, &c->shift, lo);
    for (size_t i = lo; i < hi; i++) {
        if (!fr_load_checked(&x, c->in + 32 * i)) {
            bn_note_bad(&c->bad, i);
            return;
        }
        fe *dst = &c->a[bit_reverse(i, c->logn)];
        fr_to_mont(dst, &x);
        if (c->use_shift) {
            fr_mul(dst, dst, &p);
            fr_mul(&p, &p, &c->shift);
        }
    }
}

/* out[i] = a[i] * scale * shift^i (the shift is shift^-1 for the inverse). */
static void store_range(void *vctx, size_t lo, size_t hi) {
    ntt_ctx *c = vctx;
    fe p = c->scale, x;
    if (c->use_shift) {
        fe s;
        fr_pow_u64(&s, &c->shift, lo);
        fr_mul(&p, &p, &s);
    }
    for (size_t i = lo; i < hi; i++) {
        fr_mul(&x, &c->a[i], &p);
        fr_from_mont(&x, &x);
        fe_store(c->out + 32 * i, &x);
        if (c->use_shift) fr_mul(&p, &p, &c->shift);
    }
}

static inline void butterfly(fe *x, fe *y, const fe *w) {
    fe v;
    fr_mul(&v, y, w);
    fr_sub(y, x, &v);
    fr_add(x, x, &v);
}

/* All stages with half-size < block on blocks [lo, hi) of `block` words. */
static void block_stages(ntt_ctx *c, size_t block, size_t lo, size_t hi) {
    for (size_t b = lo; b < hi; b++) {
        fe *a = c->a + b * block;
        for (size_t h = 1; h < block; h <<= 1) {
            const fe *tw = c->tw + h;
            for (size_t s = 0; s < block; s += 2 * h) {
                for (size_t k = 0; k < h; k++) butterfly(&a[s + k], &a[s + k + h], &tw[k]);
            }
        }
    }
}

typedef struct {
    ntt_ctx *c;
    size_t block, h;
} stage_ctx;

static void blocks_range(void *vctx, size_t lo, size_t hi) {
    stage_ctx *s = vctx;
    block_stages(s->c, s->block, lo, hi);
}

/* One stage of half-size h over butterfly indices [lo, hi). */
static void stage_range(void *vctx, size_t lo, size_t hi) {
    stage_ctx *s = vctx;
    fe *a = s->c->a;
    const fe *tw = s->c->tw + s->h;
    size_t h = s->h;
    for (size_t b = lo; b < hi;) {
        size_t k = b & (h - 1), base = (b - k) * 2;
        size_t end = h - k < hi - b ? h : k + (hi - b);
        for (; k < end; k++, b++) butterfly(&a[base + k], &a[base + k + h], &tw[k]);
    }
}

/* Two stages, half-sizes h and 2h, in one pass: each quad a[base + k + j h]
 * (j = 0..3, base a multiple of 4h, k < h) takes its four butterflies in registers,
 * so the array is swept half as often. lo, hi index quads. */
static void stage4_range(void *vctx, size_t lo, size_t hi) {
    stage_ctx *s = vctx;
    fe *a = s->c->a;
    size_t h = s->h;
    const fe *t1 = s->c->tw + h, *t2 = s->c->tw + 2 * h;
    for (size_t q = lo; q < hi;) {
        size_t k = q & (h - 1), base = (q - k) * 4;
        size_t end = h - k < hi - q ? h : k + (hi - q);
        for (; k < end; k++, q++) {
            fe *x0 = &a[base + k], *x1 = x0 + h, *x2 = x1 + h, *x3 = x2 + h;
            butterfly(x0, x1, &t1[k]);
            butterfly(x2, x3, &t1[k]);
            butterfly(x0, x2, &t2[k]);
            butterfly(x1, x3, &t2[k + h]);
        }
    }
}

/* tw[h + k] = root^(k n / 2h) for every stage half-size h (tw[1..n-1]). */
static void ntt_twiddles(ntt_ctx *c, int threads) {
    bn_par_range(c->half, c->n >= 4096 ? threads : 1, twiddle_range, c);
    for (size_t h = c->half / 2; h >= 1; h >>= 1) {
        for (size_t k = 0; k < h; k++) c->tw[h + k] = c->tw[2 * h + 2 * k];
    }
}

/* Butterfly stages on c->a (bit-reversed input, natural-order output). */
static void ntt_stages(ntt_ctx *c, int threads) {
    size_t n = c->n;
    int par = n >= 4096 ? threads : 1;
    size_t block = n < ((size_t)1 << BLOCK_LOG) ? n : ((size_t)1 << BLOCK_LOG);
    stage_ctx s = {c, block, 0};
    bn_par_range(n / block, par, blocks_range, &s);
    size_t h = block;
    for (; 4 * h <= n; h <<= 2) { /* the stages above the block, two per sweep */
        s.h = h;
        bn_par_range(n / 4, par, stage4_range, &s);
    }
    if (h < n) {
        s.h = h;
        bn_par_range(c->half, par, stage_range, &s);
    }
}

static void ntt_core(ntt_ctx *c, int threads) {
    ntt_twiddles(c, threads);
    ntt_stages(c, threads);
}

bn_status bn_ntt(const uint8_t *in, uint8_t *out, size_t n, int inverse,
                 const uint8_t shift[32], int threads, size_t *bad) {
    if (n == 0) return BN_OK;
    if (n & (n - 1) || n > ((size_t)1 << TWO_ADICITY)) return BN_ERR_ARG;
    ntt_ctx c;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.out = out;
    c.n = n;
    c.half = n / 2;
    c.bad = SIZE_MAX;
    while (((size_t)1 << c.logn) < n) c.logn++;
    fe sh;
    if (!fr_load_checked(&sh, shift)) return BN_ERR_ARG;
    fr_to_mont(&c.shift, &sh);
    c.use_shift = !fe_eq(&c.shift, &R_ONE);
    if (inverse && c.use_shift) {
        if (fe_is_zero(&c.shift)) return BN_ERR_ARG;
        fr_inv(&c.shift, &c.shift);
    }
    c.a = malloc(sizeof(fe) * n);
    c.tw = malloc(sizeof(fe) * (n > 1 ? n : 2));
    if (!c.a || !c.tw) {
        free(c.a);
        free(c.tw);
        return BN_ERR_NOMEM;
    }
    root_of_unity(&c.root, c.logn);
    if (inverse) fr_inv(&c.root, &c.root);
    int par = n >= 4096 ? threads : 1;
    /* forward: shift applied on load; inverse: on store */
    int shift_on_store = inverse && c.use_shift;
    int use_shift = c.use_shift;
    c.use_shift = use_shift && !inverse;
    bn_par_range(n, par, load_range, &c);
    bn_status st = BN_OK;
    if (c.bad != SIZE_MAX) {
        *bad = c.bad;
        st = BN_ERR_SCALAR;
    } else {
        if (n > 1) ntt_core(&c, threads);
        c.scale = R_ONE;
        if (inverse) {
            fe nn = {{n, 0, 0, 0}};
            fr_to_mont(&nn, &nn);
            fr_inv(&c.scale, &nn);
        }
        c.use_shift = shift_on_store;
        bn_par_range(n, par, store_range, &c);
    }
    free(c.a);
    free(c.tw);
    return st;
}

/* ---- a * b - c ---------------------------------------------------------------- */
typedef struct {
    const uint8_t *a, *b, *c;
    uint8_t *out;
    size_t bad;
} mulsub_ctx;

static void mulsub_range(void *vctx, size_t lo, size_t hi) {
    mulsub_ctx *m = vctx;
    for (size_t i = lo; i < hi; i++) {
        fe x, y, z;
        if (!fr_load_checked(&x, m->a + 32 * i) || !fr_load_checked(&y, m->b + 32 * i) ||
            !fr_load_checked(&z, m->c + 32 * i)) {
            bn_note_bad(&m->bad, i);
            return;
        }
        fr_to_mont(&x, &x);
        fr_mul(&x, &x, &y); /* (aR) * b / R = a * b, plain */
        fr_sub(&x, &x, &z);
        fe_store(m->out + 32 * i, &x);
    }
}

bn_status bn_fr_mul_sub(const uint8_t *a, const uint8_t *b, const uint8_t *c, size_t n,
                        uint8_t *out, size_t *bad) {
    mulsub_ctx m = {a, b, c, out, SIZE_MAX};
    bn_par_range(n, n >= 16384 ? bn_default_threads() : 1, mulsub_range, &m);
    if (m.bad == SIZE_MAX) return BN_OK;
    *bad = m.bad;
    return BN_ERR_SCALAR;
}

/* ---- sparse matrix times vector -------------------------------------------- */
static inline uint32_t load_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef struct {
    const uint8_t *rows, *cols, *coeffs, *witness;
    fe *w, *y;
    size_t n_rows, n_wit, m, nchunks, bad;
    size_t *cut; /* chunk t covers entries [cut[t], cut[t + 1]) */
} matvec_ctx;

static void matvec_witness(void *vctx, size_t lo, size_t hi) {
    matvec_ctx *c = vctx;
    for (size_t i = lo; i < hi; i++) {
        if (!fr_load_checked(&c->w[i], c->witness + 32 * i)) {
            bn_note_bad(&c->bad, i);
            return;
        }
        fr_to_mont(&c->w[i], &c->w[i]);
    }
}

/* 0 if entry k is usable, else its error. */
static bn_status matvec_entry(const matvec_ctx *c, size_t k, fe *cf) {
    uint32_t r = load_u32(c->rows + 4 * k), col = load_u32(c->cols + 4 * k);
    if (r >= c->n_rows || col >= c->n_wit) return BN_ERR_RANGE;
    return fr_load_checked(cf, c->coeffs + 32 * k) ? BN_OK : BN_ERR_SCALAR;
}

static void matvec_chunks(void *vctx, size_t lo, size_t hi) {
    matvec_ctx *c = vctx;
    for (size_t k = c->cut[lo]; k < c->cut[hi]; k++) {
        fe cf, t;
        if (matvec_entry(c, k, &cf) != BN_OK) {
            bn_note_bad(&c->bad, k);
            return;
        }
        uint32_t r = load_u32(c->rows + 4 * k), col = load_u32(c->cols + 4 * k);
        fr_mul(&t, &cf, &c->w[col]); /* c * (wR) / R = c * w, plain */
        fr_add(&c->y[r], &c->y[r], &t);
    }
}

/* Entries whose rows never decrease are split into per-worker chunks at row
 * boundaries, so every output row has one writer; other orders run serially. */
static size_t matvec_split(matvec_ctx *c, size_t *cut, int threads) {
    size_t parts = c->m >= 65536 && threads > 1 ? (size_t)threads : 1;
    for (size_t k = 1; parts > 1 && k < c->m; k++) {
        if (load_u32(c->rows + 4 * k) < load_u32(c->rows + 4 * (k - 1))) parts = 1;
    }
    cut[0] = 0;
    for (size_t t = 1; t < parts; t++) {
        size_t k = c->m * t / parts;
        if (k < cut[t - 1]) k = cut[t - 1];
        while (k > 0 && k < c->m && load_u32(c->rows + 4 * k) == load_u32(c->rows + 4 * (k - 1)))
            k++;
        cut[t] = k;
    }
    cut[parts] = c->m;
    return parts;
}

bn_status bn_sparse_matvec(size_t n_rows, const uint8_t *rows, const uint8_t *cols,
                           const uint8_t *coeffs, size_t m, const uint8_t *witness,
                           size_t n_wit, uint8_t *out, size_t *bad) {
    int threads = bn_default_threads();
    if (threads > 256) threads = 256;
    size_t cut[257];
    matvec_ctx c = {rows, cols, coeffs, witness, NULL, NULL, n_rows, n_wit, m, 0, SIZE_MAX, cut};
    c.w = malloc(sizeof(fe) * (n_wit ? n_wit : 1));
    c.y = calloc(n_rows ? n_rows : 1, sizeof(fe));
    bn_status st = (c.w && c.y) ? BN_OK : BN_ERR_NOMEM;
    if (st == BN_OK) {
        bn_par_range(n_wit, n_wit >= 65536 ? threads : 1, matvec_witness, &c);
        if (c.bad != SIZE_MAX) {
            *bad = c.bad;
            st = BN_ERR_WITNESS;
        }
    }
    if (st == BN_OK) {
        c.nchunks = matvec_split(&c, cut, threads);
        bn_par_range(c.nchunks, (int)c.nchunks, matvec_chunks, &c);
        if (c.bad != SIZE_MAX) { /* the first failing entry, with its exact code */
            fe cf;
            *bad = c.bad;
            st = matvec_entry(&c, c.bad, &cf);
        }
    }
    for (size_t i = 0; st == BN_OK && i < n_rows; i++) fe_store(out + 32 * i, &c.y[i]);
    free(c.w);
    free(c.y);
    return st;
}

/* ---- Groth16 quotient on the coset ------------------------------------------------
 * Given a = A z and b = B z on the domain <w> (n words each), c = a * b row-wise, and
 * each of a, b, c is interpolated (inverse NTT), moved to the coset shift * <w> and
 * evaluated there (forward NTT); out = a' b' - c'. One call, Montgomery form
 * throughout, twiddles and coset factors computed once for the three polynomials. */
typedef struct {
    fe *a, *b, *c, *coset;
    const uint8_t *ina, *inb;
    uint8_t *out;
    fe shift;
    size_t n, bad;
    int logn;
} quot_ctx;

static void quot_load(void *vctx, size_t lo, size_t hi) {
    quot_ctx *q = vctx;
    for (size_t i = lo; i < hi; i++) {
        fe x, y;
        if (!fr_load_checked(&x, q->ina + 32 * i) || !fr_load_checked(&y, q->inb + 32 * i)) {
            bn_note_bad(&q->bad, i);
            return;
        }
        size_t j = bit_reverse(i, q->logn);
        fr_to_mont(&q->a[j], &x);
        fr_to_mont(&q->b[j], &y);
        fr_mul(&q->c[j], &q->a[j], &q->b[j]); /* c = a * b, Montgomery form */
    }
}

/* coset[i] = shift^i / n */
static void quot_coset(void *vctx, size_t lo, size_t hi) {
    quot_ctx *q = vctx;
    fe p, ninv, nn = {{q->n, 0, 0, 0}};
    fr_to_mont(&nn, &nn);
    fr_inv(&ninv, &nn);
    fr_pow_u64(&p, &q->shift, lo);
    fr_mul(&p, &p, &ninv);
    for (size_t i = lo; i < hi; i++) {
        q->coset[i] = p;
        fr_mul(&p, &p, &q->shift);
    }
}

/* v[rev(i)] = v[i] * coset[i] (natural order in, bit-reversed out), pairwise swaps. */
typedef struct {
    fe *v;
    const fe *coset;
    int logn;
} twist_ctx;

static void quot_twist(void *vctx, size_t lo, size_t hi) {
    twist_ctx *t = vctx;
    for (size_t i = lo; i < hi; i++) {
        size_t j = bit_reverse(i, t->logn);
        if (j < i) continue;
        fe x, y;
        fr_mul(&x, &t->v[i], &t->coset[i]);
        fr_mul(&y, &t->v[j], &t->coset[j]);
        t->v[j] = x;
        t->v[i] = y;
    }
}

static void quot_store(void *vctx, size_t lo, size_t hi) {
    quot_ctx *q = vctx;
    for (size_t i = lo; i < hi; i++) {
        fe x;
        fr_mul(&x, &q->a[i], &q->b[i]);
        fr_sub(&x, &x, &q->c[i]);
        fr_from_mont(&x, &x);
        fe_store(q->out + 32 * i, &x);
    }
}

bn_status bn_coset_quotient(const uint8_t *a, const uint8_t *b, size_t n, const uint8_t shift[32],
                            uint8_t *out, int threads, size_t *bad) {
    if (n < 2 || n & (n - 1) || n > ((size_t)1 << (TWO_ADICITY - 1))) return BN_ERR_ARG;
    fe sh;
    if (!fr_load_checked(&sh, shift) || fe_is_zero(&sh)) return BN_ERR_ARG;
    quot_ctx q;
    memset(&q, 0, sizeof q);
    q.n = n;
    q.ina = a;
    q.inb = b;
    q.out = out;
    q.bad = SIZE_MAX;
    while (((size_t)1 << q.logn) < n) q.logn++;
    fr_to_mont(&q.shift, &sh);
    q.a = malloc(sizeof(fe) * n);
    q.b = malloc(sizeof(fe) * n);
    q.c = malloc(sizeof(fe) * n);
    q.coset = malloc(sizeof(fe) * n);
    fe *tw_inv = malloc(sizeof(fe) * n), *tw_fwd = malloc(sizeof(fe) * n);
    bn_status st = BN_OK;
    if (!q.a || !q.b || !q.c || !q.coset || !tw_inv || !tw_fwd) st = BN_ERR_NOMEM;
    int par = n >= 4096 ? threads : 1;
    if (st == BN_OK) {
        bn_par_range(n, par, quot_load, &q);
        if (q.bad != SIZE_MAX) {
            *bad = q.bad;
            st = BN_ERR_SCALAR;
        }
    }
    if (st == BN_OK) {
        ntt_ctx inv, fwd;
        memset(&inv, 0, sizeof inv);
        inv.n = n;
        inv.half = n / 2;
        inv.logn = q.logn;
        fwd = inv;
        root_of_unity(&fwd.root, q.logn);
        fr_inv(&inv.root, &fwd.root);
        inv.tw = tw_inv;
        fwd.tw = tw_fwd;
        ntt_twiddles(&inv, threads);
        ntt_twiddles(&fwd, threads);
        bn_par_range(n, par, quot_coset, &q);
        fe *polys[3] = {q.a, q.b, q.c};
        for (int k = 0; k < 3; k++) {
            inv.a = fwd.a = polys[k];
            ntt_stages(&inv, threads);               /* coefficients, times n */
            twist_ctx t = {polys[k], q.coset, q.logn};
            bn_par_range(n, par, quot_twist, &t);    /* / n, * shift^i, bit-reversed */
            ntt_stages(&fwd, threads);               /* evaluations on the coset */
        }
        bn_par_range(n, par, quot_store, &q);
    }
    free(q.a);
    free(q.b);
    free(q.c);
    free(q.coset);
    free(tw_inv);
    free(tw_fwd);
    return st;
}
