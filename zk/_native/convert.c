/* Whole-buffer conversions for the binary key and witness formats.
 *
 * snarkjs stores points "LEM": affine coordinates in Montgomery form (x * 2^256 mod q),
 * little-endian, infinity as zeros; that is exactly this core's internal form, so a
 * conversion is a range check, an optional on-curve check and one Montgomery
 * reduction per coordinate. .zkey matrix coefficients are c * 2^512 mod r. Every
 * function scans the whole buffer (in parallel where it pays) and reports the first
 * offending index.
 */
#include <stdlib.h>

#include "bn254_impl.h"

/* ---- points: LEM <-> canonical ---------------------------------------------- */
typedef struct {
    const uint8_t *in;
    uint8_t *out;
    int g2, check, to_lem;
    size_t bad;
} conv_ctx;

static int is_zero_bytes(const uint8_t *b, size_t len) {
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++) acc |= b[i];
    return acc == 0;
}

static int on_curve_mont(const fe *c, int g2) {
    if (!g2) {
        static const fe three = {{3, 0, 0, 0}};
        fe b, l, r;
        fq_to_mont(&b, &three);
        fq_sqr(&l, &c[1]);
        fq_sqr(&r, &c[0]);
        fq_mul(&r, &r, &c[0]);
        fq_add(&r, &r, &b);
        return fe_eq(&l, &r);
    }
    fq2 x = {c[0], c[1]}, y = {c[2], c[3]}, l, r;
    fq2_sqr(&l, &y);
    fq2_sqr(&r, &x);
    fq2_mul(&r, &r, &x);
    fq2_add(&r, &r, &BN_TWIST_B);
    return fq2_eq(&l, &r);
}

/* Converts point i; returns BN_OK, BN_ERR_COORD or BN_ERR_CURVE. */
static bn_status conv_one(const conv_ctx *ctx, size_t i) {
    size_t words = ctx->g2 ? 4 : 2, size = 32 * words;
    const uint8_t *src = ctx->in + i * size;
    uint8_t *dst = ctx->out + i * size;
    if (is_zero_bytes(src, size)) {
        if (dst != src) memset(dst, 0, size);
        return BN_OK;
    }
    fe c[4];
    for (size_t k = 0; k < words; k++) {
        fe_load(&c[k], src + 32 * k);
        if (!fe_lt(&c[k], Q_P)) return BN_ERR_COORD;
    }
    if (ctx->to_lem) {
        for (size_t k = 0; k < words; k++) fq_to_mont(&c[k], &c[k]);
    } else {
        if (ctx->check && !on_curve_mont(c, ctx->g2)) return BN_ERR_CURVE;
        for (size_t k = 0; k < words; k++) fq_from_mont(&c[k], &c[k]);
    }
    for (size_t k = 0; k < words; k++) fe_store(dst + 32 * k, &c[k]);
    return BN_OK;
}

static void conv_range(void *vctx, size_t lo, size_t hi) {
    conv_ctx *ctx = vctx;
    for (size_t i = lo; i < hi; i++) {
        if (conv_one(ctx, i) != BN_OK) {
            bn_note_bad(&ctx->bad, i);
            return;
        }
    }
}

static bn_status convert(conv_ctx *ctx, size_t n, int threads, size_t *bad) {
    bn_par_range(n, n >= 8192 ? threads : 1, conv_range, ctx);
    if (ctx->bad == SIZE_MAX) return BN_OK;
    *bad = ctx->bad;
    return conv_one(ctx, ctx->bad);
}

bn_status bn_points_from_lem(const uint8_t *in, uint8_t *out, size_t n, int g2, int check,
                             int threads, size_t *bad) {
    conv_ctx ctx = {in, out, g2, check, 0, SIZE_MAX};
    return convert(&ctx, n, threads, bad);
}

bn_status bn_points_to_lem(const uint8_t *in, uint8_t *out, size_t n, int g2, int threads,
                           size_t *bad) {
    conv_ctx ctx = {in, out, g2, 0, 1, SIZE_MAX};
    return convert(&ctx, n, threads, bad);
}

/* ---- scalars ----------------------------------------------------------------- */
long bn_fr_first_unreduced(const uint8_t *words, size_t n) {
    for (size_t i = 0; i < n; i++) {
        fe v;
        if (!fr_load_checked(&v, words + 32 * i)) return (long)i;
    }
    return -1;
}

/* ---- .zkey section 4: (u32 matrix, u32 row, u32 wire, 32-byte c * 2^512 mod r) --- */
#define COEF_BYTES 44

static inline uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wr32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

bn_status bn_zkey_coefs_count(const uint8_t *entries, size_t m, uint32_t domain, uint32_t nvars,
                              size_t counts[2], size_t *bad) {
    counts[0] = counts[1] = 0;
    for (size_t i = 0; i < m; i++) {
        const uint8_t *e = entries + COEF_BYTES * i;
        uint32_t mat = rd32(e), row = rd32(e + 4), wire = rd32(e + 8);
        fe v;
        if (mat > 1 || row >= domain || wire >= nvars || !fr_load_checked(&v, e + 12)) {
            *bad = i;
            return BN_ERR_RANGE;
        }
        counts[mat]++;
    }
    return BN_OK;
}

void bn_zkey_coefs_split(const uint8_t *entries, size_t m, uint8_t *rows[2], uint8_t *cols[2],
                         uint8_t *coeffs[2]) {
    size_t k[2] = {0, 0};
    for (size_t i = 0; i < m; i++) {
        const uint8_t *e = entries + COEF_BYTES * i;
        uint32_t mat = rd32(e);
        size_t j = k[mat]++;
        memcpy(rows[mat] + 4 * j, e + 4, 4);
        memcpy(cols[mat] + 4 * j, e + 8, 4);
        fe v;
        fe_load(&v, e + 12);
        fr_from_mont(&v, &v); /* c R^2 -> c R */
        fr_from_mont(&v, &v); /* c R -> c */
        fe_store(coeffs[mat] + 32 * j, &v);
    }
}

bn_status bn_zkey_coefs_join(const uint8_t *const rows[2], const uint8_t *const cols[2],
                             const uint8_t *const coeffs[2], const size_t counts[2],
                             uint8_t *out, size_t *bad) {
    uint8_t *e = out;
    for (uint32_t mat = 0; mat < 2; mat++) {
        for (size_t j = 0; j < counts[mat]; j++, e += COEF_BYTES) {
            fe v;
            if (!fr_load_checked(&v, coeffs[mat] + 32 * j)) {
                *bad = (mat ? counts[0] : 0) + j;
                return BN_ERR_SCALAR;
            }
            fr_to_mont(&v, &v); /* c -> c R */
            fr_to_mont(&v, &v); /* c R -> c R^2 */
            wr32(e, mat);
            memcpy(e + 4, rows[mat] + 4 * j, 4);
            memcpy(e + 8, cols[mat] + 4 * j, 4);
            fe_store(e + 12, &v);
        }
    }
    return BN_OK;
}
