/* BN254 C core: field helpers, worker threads, G1/G2 arithmetic, MSM,
 * fixed-base batch multiplication and point validation. See bn254.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bn254_impl.h"
#include "convert.h"

#ifdef ZK_X86_ASM
#include <cpuid.h>
int bn_use_adx = 0;

/* BMI2 (MULX) and ADX (ADCX/ADOX): CPUID leaf 7, EBX bits 8 and 19. */
static int cpu_has_adx(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 8 & 1) && (b >> 19 & 1);
}
#endif

/* ---- powers and inverses -------------------------------------------------- */
static void mont_pow(fe *r, const fe *a, const uint64_t *e, int nlimbs, const uint64_t *p,
                     uint64_t pinv, const fe *one) {
    fe acc = *one;
    for (int i = 64 * nlimbs - 1; i >= 0; i--) {
        mont_mul(&acc, &acc, &acc, p, pinv);
        if ((e[i >> 6] >> (i & 63)) & 1) mont_mul(&acc, &acc, a, p, pinv);
    }
    *r = acc;
}

void fq_pow(fe *r, const fe *a, const uint64_t *e, int nlimbs) {
    mont_pow(r, a, e, nlimbs, Q_P, Q_INV, &Q_ONE);
}

void fr_pow(fe *r, const fe *a, const uint64_t *e, int nlimbs) {
    mont_pow(r, a, e, nlimbs, R_P, R_INV, &R_ONE);
}

void fq_inv(fe *r, const fe *a) {
    uint64_t e[4] = {Q_P[0] - 2, Q_P[1], Q_P[2], Q_P[3]};
    fq_pow(r, a, e, 4);
}

void fr_inv(fe *r, const fe *a) {
    uint64_t e[4] = {R_P[0] - 2, R_P[1], R_P[2], R_P[3]};
    fr_pow(r, a, e, 4);
}

void fq2_inv(fq2 *r, const fq2 *a) {
    fe t0, t1;
    fq_sqr(&t0, &a->c0);
    fq_sqr(&t1, &a->c1);
    fq_add(&t0, &t0, &t1);
    fq_inv(&t0, &t0);
    fq_mul(&r->c0, &a->c0, &t0);
    fq_mul(&t1, &a->c1, &t0);
    fq_neg(&r->c1, &t1);
}

/* ---- initialisation ------------------------------------------------------- */
fq2 BN_TWIST_B;

static const fe FQ_THREE_RAW = {{3, 0, 0, 0}};
static fe G1_B; /* 3 in Montgomery form */

void bn_init(void) {
    static int done = 0;
    if (done) return;
#ifdef ZK_X86_ASM
    const char *env = getenv("ZK_NO_ADX");
    bn_use_adx = !(env && *env && *env != '0') && cpu_has_adx();
#endif
    fq_to_mont(&G1_B, &FQ_THREE_RAW);
    fq2 xi, three = {G1_B, {{0, 0, 0, 0}}};
    xi.c0 = Q_ONE;
    for (int i = 0; i < 8; i++) fq_add(&xi.c0, &xi.c0, &Q_ONE);
    xi.c1 = Q_ONE;
    fq2_inv(&xi, &xi);
    fq2_mul(&BN_TWIST_B, &three, &xi);
    bn_pairing_init();
    done = 1;
}

int bn_default_threads(void) {
    const char *env = getenv("ZK_THREADS");
    if (env && *env) {
        long v = strtol(env, NULL, 10);
        if (v >= 1) return v > 256 ? 256 : (int)v;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (n > 256 ? 256 : (int)n) : 1;
}

/* ---- worker threads ------------------------------------------------------- */
typedef struct {
    bn_range_fn fn;
    void *ctx;
    size_t lo, hi;
} range_job;

static void *range_main(void *arg) {
    range_job *j = arg;
    j->fn(j->ctx, j->lo, j->hi);
    return NULL;
}

void bn_par_range(size_t n, int threads, bn_range_fn fn, void *ctx) {
    if (threads < 1) threads = 1;
    if (threads > 256) threads = 256;
    if ((size_t)threads > n) threads = n ? (int)n : 1;
    if (threads == 1) {
        fn(ctx, 0, n);
        return;
    }
    range_job jobs[256];
    pthread_t tids[256];
    int started[256] = {0};
    for (int t = 0; t < threads; t++) {
        jobs[t] = (range_job){fn, ctx, n * (size_t)t / threads, n * (size_t)(t + 1) / threads};
    }
    for (int t = 1; t < threads; t++) {
        started[t] = pthread_create(&tids[t], NULL, range_main, &jobs[t]) == 0;
    }
    fn(ctx, jobs[0].lo, jobs[0].hi);
    for (int t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tids[t], NULL);
        else fn(ctx, jobs[t].lo, jobs[t].hi); /* could not start: run it here */
    }
}

typedef struct {
    bn_task_fn fn;
    void *ctx;
    size_t ntasks;
    size_t next;
} task_pool;

typedef struct {
    task_pool *pool;
    int worker;
} task_worker;

static void *task_main(void *arg) {
    task_worker *w = arg;
    task_pool *p = w->pool;
    for (;;) {
        size_t t = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
        if (t >= p->ntasks) break;
        p->fn(p->ctx, t, w->worker);
    }
    return NULL;
}

void bn_par_tasks(size_t ntasks, int threads, bn_task_fn fn, void *ctx) {
    if (threads < 1) threads = 1;
    if ((size_t)threads > ntasks) threads = ntasks ? (int)ntasks : 1;
    if (threads > 256) threads = 256;
    task_pool pool = {fn, ctx, ntasks, 0};
    task_worker ws[256];
    pthread_t tids[256];
    int started[256] = {0};
    for (int t = 0; t < threads; t++) ws[t] = (task_worker){&pool, t};
    for (int t = 1; t < threads; t++) {
        started[t] = pthread_create(&tids[t], NULL, task_main, &ws[t]) == 0;
    }
    task_main(&ws[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tids[t], NULL);
    }
}

/* ---- scalars -------------------------------------------------------------- */
typedef struct {
    const uint8_t *scalars;
    size_t bad;
} scan_ctx;

static void check_range(void *vctx, size_t lo, size_t hi) {
    scan_ctx *ctx = vctx;
    for (size_t i = lo; i < hi; i++) {
        fe s;
        if (!fr_load_checked(&s, ctx->scalars + 32 * i)) {
            bn_note_bad(&ctx->bad, i);
            return;
        }
    }
}

static bn_status check_scalars(const uint8_t *scalars, size_t n, int threads, size_t *bad) {
    scan_ctx ctx = {scalars, SIZE_MAX};
    bn_par_range(n, n >= 65536 ? threads : 1, check_range, &ctx);
    if (ctx.bad == SIZE_MAX) return BN_OK;
    *bad = ctx.bad;
    return BN_ERR_SCALAR;
}

/* Signed base-2^c digits in [-2^(c-1), 2^(c-1)) of a raw scalar < 2^254;
 * nwin * c >= 256 guarantees no carry out of the top window. */
static inline void signed_digits(int16_t *dg, const fe *s, int c, int nwin) {
    uint64_t mask = ((uint64_t)1 << c) - 1, half = (uint64_t)1 << (c - 1);
    uint64_t carry = 0;
    for (int w = 0; w < nwin; w++) {
        int bit = w * c, limb = bit >> 6, off = bit & 63;
        uint64_t v = 0;
        if (limb < 4) {
            v = s->l[limb] >> off;
            if (off + c > 64 && limb + 1 < 4) v |= s->l[limb + 1] << (64 - off);
        }
        v = (v & mask) + carry;
        if (v >= half) {
            dg[w] = (int16_t)((int64_t)v - (int64_t)((uint64_t)1 << c));
            carry = 1;
        } else {
            dg[w] = (int16_t)v;
            carry = 0;
        }
    }
}

/* Fixed-base window: per-scalar additions against the table size. */
static int fixed_base_window_bits(size_t n) {
    int best = 4;
    double best_cost = 1e300;
    for (int c = 4; c <= 16; c++) {
        int nwin = (256 + c - 1) / c;
        double cost = (double)nwin * ((double)n + 1.5 * (double)((size_t)1 << (c - 1)));
        if (cost < best_cost) {
            best_cost = cost;
            best = c;
        }
    }
    return best;
}

/* x[i] = 1 / x[i] (Montgomery, all non-zero) with one inversion. Two interleaved
 * product chains (even and odd entries) let consecutive multiplications overlap.
 * pre holds k elements. */
static void fq_batch_inv(fe *x, fe *pre, size_t k) {
    if (k == 0) return;
    fe acc[2] = {Q_ONE, Q_ONE}, inv[2], t;
    size_t i = 0;
    for (; i + 1 < k; i += 2) {
        pre[i] = acc[0];
        fq_mul(&acc[0], &acc[0], &x[i]);
        pre[i + 1] = acc[1];
        fq_mul(&acc[1], &acc[1], &x[i + 1]);
    }
    if (i < k) {
        pre[i] = acc[0];
        fq_mul(&acc[0], &acc[0], &x[i]);
    }
    fq_mul(&t, &acc[0], &acc[1]);
    fq_inv(&t, &t);
    fq_mul(&inv[0], &t, &acc[1]); /* 1 / acc[0] */
    fq_mul(&inv[1], &t, &acc[0]); /* 1 / acc[1] */
    for (i = k; i-- > 0;) {
        fe *iv = &inv[i & 1];
        fq_mul(&t, iv, &pre[i]);
        fq_mul(iv, iv, &x[i]);
        x[i] = t;
    }
}

/* The same in Fq2 through norms: 1 / a = conj(a) / (a0^2 + a1^2), the norms
 * inverted together in Fq. pre holds k Fq2 elements (2k Fq words). */
static void fq2_batch_inv(fq2 *x, fq2 *pre, size_t k) {
    fe *nrm = (fe *)pre, *scr = nrm + k, t;
    for (size_t i = 0; i < k; i++) {
        fq_sqr(&nrm[i], &x[i].c0);
        fq_sqr(&t, &x[i].c1);
        fq_add(&nrm[i], &nrm[i], &t);
    }
    fq_batch_inv(nrm, scr, k);
    for (size_t i = 0; i < k; i++) {
        fq_mul(&x[i].c0, &x[i].c0, &nrm[i]);
        fq_mul(&t, &x[i].c1, &nrm[i]);
        fq_neg(&x[i].c1, &t);
    }
}

/* ---- G1 over Fq ----------------------------------------------------------- */
static inline int fq_decode(fe *r, const uint8_t *b) {
    fe t;
    fe_load(&t, b);
    if (!fe_lt(&t, Q_P)) return 0;
    fq_to_mont(r, &t);
    return 1;
}

static inline void fq_encode(uint8_t *b, const fe *a) {
    fe t;
    fq_from_mont(&t, a);
    fe_store(b, &t);
}

#define PT(name) g1_##name
#define F fe
#define F_BYTES 32
#define F_ADD fq_add
#define F_SUB fq_sub
#define F_DBL fq_dbl
#define F_NEG fq_neg
#define F_MUL fq_mul
#define F_SQR fq_sqr
#define F_ISZERO fe_is_zero
#define F_EQ fe_eq
#define F_INV fq_inv
#define F_ONE Q_ONE
#define F_B (&G1_B)
#define F_DECODE fq_decode
#define F_BATCH_INV fq_batch_inv
#define F_ENCODE fq_encode
#include "group_tmpl.h"
#include "group_scale_tmpl.h"
#include "group_sub_tmpl.h"
#include "group_sparse_tmpl.h"
#include "group_tmpl_end.h"

/* ---- G2 over Fq2 ---------------------------------------------------------- */
static inline int fq2_decode(fq2 *r, const uint8_t *b) {
    return fq_decode(&r->c0, b) && fq_decode(&r->c1, b + 32);
}

static inline void fq2_encode(uint8_t *b, const fq2 *a) {
    fq_encode(b, &a->c0);
    fq_encode(b + 32, &a->c1);
}

static const fq2 FQ2_ONE = {{{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL,
                              0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}},
                            {{0, 0, 0, 0}}};

#define PT(name) g2_##name
#define F fq2
#define F_BYTES 64
#define F_ADD fq2_add
#define F_SUB fq2_sub
#define F_DBL fq2_dbl
#define F_NEG fq2_neg
#define F_MUL fq2_mul
#define F_SQR fq2_sqr
#define F_ISZERO fq2_is_zero
#define F_EQ fq2_eq
#define F_INV fq2_inv
#define F_ONE FQ2_ONE
#define F_B (&BN_TWIST_B)
#define F_DECODE fq2_decode
#define F_BATCH_INV fq2_batch_inv
#define F_ENCODE fq2_encode
#include "group_tmpl.h"
#include "group_scale_tmpl.h"
#include "group_sparse_tmpl.h"
#include "group_tmpl_end.h"

/* ---- public entry points -------------------------------------------------- */
bn_status bn_msm_g1(const uint8_t *points, const uint8_t *scalars, size_t n, uint8_t out[64],
                    int threads, size_t *bad) {
    return g1_msm(points, scalars, n, out, threads, bad);
}

bn_status bn_msm_g2(const uint8_t *points, const uint8_t *scalars, size_t n, uint8_t out[128],
                    int threads, size_t *bad) {
    return g2_msm(points, scalars, n, out, threads, bad);
}

bn_status bn_batch_mul_g1(const uint8_t base[64], const uint8_t *scalars, size_t n,
                          uint8_t *out, int threads, size_t *bad) {
    return g1_batch_mul(base, scalars, n, out, threads, bad);
}

bn_status bn_batch_mul_g2(const uint8_t base[128], const uint8_t *scalars, size_t n,
                          uint8_t *out, int threads, size_t *bad) {
    return g2_batch_mul(base, scalars, n, out, threads, bad);
}

bn_status bn_scale_g1(const uint8_t *in, uint8_t *out, size_t n, const uint8_t first[32],
                      const uint8_t step[32], int threads, size_t *bad) {
    return g1_scale(in, out, n, first, step, threads, bad);
}

bn_status bn_scale_g2(const uint8_t *in, uint8_t *out, size_t n, const uint8_t first[32],
                      const uint8_t step[32], int threads, size_t *bad) {
    return g2_scale(in, out, n, first, step, threads, bad);
}

bn_status bn_g1_sub_many(const uint8_t *a, const uint8_t *b, uint8_t *out, size_t n,
                         int threads, size_t *bad) {
    return g1_sub_many(a, b, out, n, threads, bad);
}

bn_status bn_sparse_msm_g1(const uint8_t *acc, size_t nout, const uint8_t *points, size_t npts,
                           const uint8_t *rows, const uint8_t *cols, const uint8_t *coeffs,
                           size_t m, uint8_t *out, int threads, size_t *bad, int *what) {
    return g1_sparse_msm(acc, nout, points, npts, rows, cols, coeffs, m, out, threads, bad, what);
}

bn_status bn_sparse_msm_g2(const uint8_t *acc, size_t nout, const uint8_t *points, size_t npts,
                           const uint8_t *rows, const uint8_t *cols, const uint8_t *coeffs,
                           size_t m, uint8_t *out, int threads, size_t *bad, int *what) {
    return g2_sparse_msm(acc, nout, points, npts, rows, cols, coeffs, m, out, threads, bad, what);
}

/* ---- validation ------------------------------------------------------------ */
static const uint64_t BN_X = 4965661367192848881ULL; /* curve seed */

/* psi = untwist-Frobenius-twist on Jacobian G2 points. */
static void g2_psi(g2_jac *r, const g2_jac *p) {
    fq2 t;
    fq2_conj(&t, &p->x);
    fq2_mul(&r->x, &t, &BN_PSI_X);
    fq2_conj(&t, &p->y);
    fq2_mul(&r->y, &t, &BN_PSI_Y);
    fq2_conj(&r->z, &p->z);
}

/* r-torsion membership of an on-twist point (El Housni-Guillevic-Piellard):
 * [x+1]P + psi([x]P) + psi^2([x]P) == psi^3([2x]P). */
static int g2_in_subgroup(const g2_aff *p) {
    uint64_t k = BN_X;
    g2_jac xp, lhs, t, rhs;
    g2_mul_small(&xp, p, &k, 64);
    lhs = xp;
    g2_add_aff(&lhs, p);
    g2_psi(&t, &xp);
    g2_add(&lhs, &t);
    g2_psi(&t, &t);
    g2_add(&lhs, &t);
    g2_dbl(&rhs, &xp);
    g2_psi(&rhs, &rhs);
    g2_psi(&rhs, &rhs);
    g2_psi(&rhs, &rhs);
    return g2_jac_eq(&lhs, &rhs);
}

typedef struct {
    const uint8_t *pts;
    int allow_inf, g2;
    size_t bad;
} check_ctx;

static int point_ok(const check_ctx *ctx, size_t i) {
    if (ctx->g2) {
        g2_aff a;
        if (g2_decode(&a, ctx->pts + 128 * i) != BN_OK) return 0;
        if (g2_aff_is_inf(&a)) return ctx->allow_inf;
        return g2_in_subgroup(&a);
    }
    g1_aff a;
    if (g1_decode(&a, ctx->pts + 64 * i) != BN_OK) return 0;
    return !g1_aff_is_inf(&a) || ctx->allow_inf;
}

static void check_points_range(void *vctx, size_t lo, size_t hi) {
    check_ctx *ctx = vctx;
    for (size_t i = lo; i < hi; i++) {
        if (__atomic_load_n(&ctx->bad, __ATOMIC_RELAXED) < i) return;
        if (!point_ok(ctx, i)) {
            bn_note_bad(&ctx->bad, i);
            return;
        }
    }
}

static long check_points(const uint8_t *pts, size_t n, int allow_inf, int g2, int threads) {
    check_ctx ctx = {pts, allow_inf, g2, SIZE_MAX};
    size_t min_par = g2 ? 8 : 8192;
    bn_par_range(n, n >= min_par ? threads : 1, check_points_range, &ctx);
    return ctx.bad == SIZE_MAX ? -1 : (long)ctx.bad;
}

long bn_check_g1(const uint8_t *points, size_t n, int allow_infinity, int threads) {
    return check_points(points, n, allow_infinity, 0, threads);
}

long bn_check_g2(const uint8_t *points, size_t n, int allow_infinity, int threads) {
    return check_points(points, n, allow_infinity, 1, threads);
}

/* Decoders used by the pairing (pairing.c). */
bn_status bn_decode_g1(fe *x, fe *y, int *inf, const uint8_t *b) {
    g1_aff a;
    bn_status st = g1_decode(&a, b);
    *x = a.x;
    *y = a.y;
    *inf = g1_aff_is_inf(&a);
    return st;
}

bn_status bn_decode_g2(fq2 *x, fq2 *y, int *inf, const uint8_t *b) {
    g2_aff a;
    bn_status st = g2_decode(&a, b);
    *x = a.x;
    *y = a.y;
    *inf = g2_aff_is_inf(&a);
    return st;
}
