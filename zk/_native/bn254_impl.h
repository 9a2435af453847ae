/* Internal to the C core: Montgomery arithmetic in Fq, Fr and Fq2 (inline),
 * byte conversion, and the small thread pool helpers shared by the .c files.
 *
 * Elements are 4 little-endian 64-bit limbs in Montgomery form (a * 2^256 mod p).
 * Both moduli are below 2^254, so the "no final carry" CIOS multiplication
 * applies and sums of two reduced elements never overflow 256 bits.
 */
#ifndef ZK_BN254_IMPL_H
#define ZK_BN254_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bn254.h"

#define INLINE static inline __attribute__((always_inline))

typedef unsigned __int128 u128;
typedef struct { uint64_t l[4]; } fe;
typedef struct { fe c0, c1; } fq2;  /* c0 + c1 u, u^2 = -1 */

/* ---- moduli and Montgomery constants ------------------------------------ */
static const uint64_t Q_P[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL,
                                0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t Q_INV = 0x87d20782e4866389ULL; /* -q^-1 mod 2^64 */
static const fe Q_R2 = {{0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL,
                         0x47ab1eff0a417ff6ULL, 0x06d89f71cab8351fULL}};
static const fe Q_ONE = {{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL,
                          0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}};

static const uint64_t R_P[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL,
                                0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t R_INV = 0xc2e1f593efffffffULL; /* -r^-1 mod 2^64 */
static const fe R_R2 = {{0x1bb8e645ae216da7ULL, 0x53fe3ab1e35c59e3ULL,
                         0x8c49833d53bb8085ULL, 0x0216d0b17f4e44a5ULL}};
static const fe R_ONE = {{0xac96341c4ffffffbULL, 0x36fc76959f60cd29ULL,
                          0x666ea36f7879462eULL, 0x0e0a77c19a07df2fULL}};

/* ---- generic limb arithmetic -------------------------------------------- */
#if defined(__x86_64__) && !defined(ZK_PORTABLE_C)
#include <x86intrin.h>
#define ZK_X86_ASM 1
#endif

#ifdef ZK_X86_ASM
/* t = t - p if t >= p (add/sub chains via carry intrinsics, select via mask). */
INLINE void sub_if_ge(uint64_t t[4], const uint64_t *p) {
    unsigned long long s0, s1, s2, s3;
    unsigned char br = _subborrow_u64(0, t[0], p[0], &s0);
    br = _subborrow_u64(br, t[1], p[1], &s1);
    br = _subborrow_u64(br, t[2], p[2], &s2);
    br = _subborrow_u64(br, t[3], p[3], &s3);
    uint64_t keep = 0 - (uint64_t)br;
    t[0] = (t[0] & keep) | (s0 & ~keep);
    t[1] = (t[1] & keep) | (s1 & ~keep);
    t[2] = (t[2] & keep) | (s2 & ~keep);
    t[3] = (t[3] & keep) | (s3 & ~keep);
}

INLINE void mod_add(fe *r, const fe *a, const fe *b, const uint64_t *p) {
    unsigned long long t[4];
    unsigned char c = _addcarry_u64(0, a->l[0], b->l[0], &t[0]);
    c = _addcarry_u64(c, a->l[1], b->l[1], &t[1]);
    c = _addcarry_u64(c, a->l[2], b->l[2], &t[2]);
    (void)_addcarry_u64(c, a->l[3], b->l[3], &t[3]);
    sub_if_ge((uint64_t *)t, p);
    memcpy(r->l, t, sizeof t);
}

INLINE void mod_sub(fe *r, const fe *a, const fe *b, const uint64_t *p) {
    unsigned long long t[4];
    unsigned char br = _subborrow_u64(0, a->l[0], b->l[0], &t[0]);
    br = _subborrow_u64(br, a->l[1], b->l[1], &t[1]);
    br = _subborrow_u64(br, a->l[2], b->l[2], &t[2]);
    br = _subborrow_u64(br, a->l[3], b->l[3], &t[3]);
    uint64_t mask = 0 - (uint64_t)br;
    unsigned char c = _addcarry_u64(0, t[0], p[0] & mask, &t[0]);
    c = _addcarry_u64(c, t[1], p[1] & mask, &t[1]);
    c = _addcarry_u64(c, t[2], p[2] & mask, &t[2]);
    (void)_addcarry_u64(c, t[3], p[3] & mask, &t[3]);
    memcpy(r->l, t, sizeof t);
}

/* One CIOS round: t += a * b[I]; then t = (t + m p) / 2^64 with m = t0 * pinv.
 * r8..r11 hold t0..t3, r12 the high word (p < 2^254: no fifth carry). */
#define ZK_MONT_ROUND(I)                                                         \
    "movq " #I "*8(%[b]), %%rcx\n\t"                                             \
    "movq 0(%[a]), %%rax\n\t"  "mulq %%rcx\n\t"                                  \
    "addq %%rax, %%r8\n\t"     "adcq $0, %%rdx\n\t"  "movq %%rdx, %%rbx\n\t"     \
    "movq 8(%[a]), %%rax\n\t"  "mulq %%rcx\n\t"                                  \
    "addq %%rbx, %%r9\n\t"     "adcq $0, %%rdx\n\t"                              \
    "addq %%rax, %%r9\n\t"     "adcq $0, %%rdx\n\t"  "movq %%rdx, %%rbx\n\t"     \
    "movq 16(%[a]), %%rax\n\t" "mulq %%rcx\n\t"                                  \
    "addq %%rbx, %%r10\n\t"    "adcq $0, %%rdx\n\t"                              \
    "addq %%rax, %%r10\n\t"    "adcq $0, %%rdx\n\t"  "movq %%rdx, %%rbx\n\t"     \
    "movq 24(%[a]), %%rax\n\t" "mulq %%rcx\n\t"                                  \
    "addq %%rbx, %%r11\n\t"    "adcq $0, %%rdx\n\t"                              \
    "addq %%rax, %%r11\n\t"    "adcq $0, %%rdx\n\t"  "movq %%rdx, %%r12\n\t"     \
    "movq %%r8, %%rcx\n\t"     "imulq %[pinv], %%rcx\n\t"                        \
    "movq 0(%[p]), %%rax\n\t"  "mulq %%rcx\n\t"                                  \
    "addq %%rax, %%r8\n\t"     "adcq $0, %%rdx\n\t"  "movq %%rdx, %%rbx\n\t"     \
    "movq 8(%[p]), %%rax\n\t"  "mulq %%rcx\n\t"                                  \
    "addq %%rbx, %%r9\n\t"     "adcq $0, %%rdx\n\t"                              \
    "addq %%rax, %%r9\n\t"     "adcq $0, %%rdx\n\t"                              \
    "movq %%r9, %%r8\n\t"      "movq %%rdx, %%rbx\n\t"                           \
    "movq 16(%[p]), %%rax\n\t" "mulq %%rcx\n\t"                                  \
    "addq %%rbx, %%r10\n\t"    "adcq $0, %%rdx\n\t"                              \
    "addq %%rax, %%r10\n\t"    "adcq $0, %%rdx\n\t"                              \
    "movq %%r10, %%r9\n\t"     "movq %%rdx, %%rbx\n\t"                           \
    "movq 24(%[p]), %%rax\n\t" "mulq %%rcx\n\t"                                  \
    "addq %%rbx, %%r11\n\t"    "adcq $0, %%rdx\n\t"                              \
    "addq %%rax, %%r11\n\t"    "adcq $0, %%rdx\n\t"                              \
    "movq %%r11, %%r10\n\t"    "leaq (%%r12,%%rdx), %%r11\n\t"

/* Same rounds with MULX and the two carry chains ADCX/ADOX (BMI2 + ADX). */
#define ZK_MONT_ROUND_ADX(I)                                                     \
    "movq " #I "*8(%[b]), %%rdx\n\t"                                             \
    "xorl %%ecx, %%ecx\n\t"      "movq %%rcx, %%r12\n\t"                         \
    "mulxq 0(%[a]), %%rax, %%rbx\n\t"  "adcxq %%rax, %%r8\n\t"  "adoxq %%rbx, %%r9\n\t"   \
    "mulxq 8(%[a]), %%rax, %%rbx\n\t"  "adcxq %%rax, %%r9\n\t"  "adoxq %%rbx, %%r10\n\t"  \
    "mulxq 16(%[a]), %%rax, %%rbx\n\t" "adcxq %%rax, %%r10\n\t" "adoxq %%rbx, %%r11\n\t"  \
    "mulxq 24(%[a]), %%rax, %%rbx\n\t" "adcxq %%rax, %%r11\n\t" "adoxq %%rbx, %%r12\n\t"  \
    "adcxq %%rcx, %%r12\n\t"                                                     \
    "movq %%r8, %%rdx\n\t"       "imulq %[pinv], %%rdx\n\t"                      \
    "xorl %%ecx, %%ecx\n\t"                                                      \
    "mulxq 0(%[p]), %%rax, %%rbx\n\t"  "adcxq %%rax, %%r8\n\t"  "adoxq %%rbx, %%r9\n\t"   \
    "mulxq 8(%[p]), %%rax, %%rbx\n\t"  "adcxq %%rax, %%r9\n\t"  "adoxq %%rbx, %%r10\n\t"  \
    "mulxq 16(%[p]), %%rax, %%rbx\n\t" "adcxq %%rax, %%r10\n\t" "adoxq %%rbx, %%r11\n\t"  \
    "mulxq 24(%[p]), %%rax, %%rbx\n\t" "adcxq %%rax, %%r11\n\t" "adoxq %%rbx, %%r12\n\t"  \
    "adcxq %%rcx, %%r12\n\t"                                                     \
    "movq %%r9, %%r8\n\t" "movq %%r10, %%r9\n\t" "movq %%r11, %%r10\n\t" "movq %%r12, %%r11\n\t"

#define ZK_MONT_TAIL                                                             \
    "movq %%r8, %%rax\n\t"   "movq %%r9, %%rbx\n\t"                              \
    "movq %%r10, %%rcx\n\t"  "movq %%r11, %%rdx\n\t"                             \
    "subq 0(%[p]), %%rax\n\t"  "sbbq 8(%[p]), %%rbx\n\t"                         \
    "sbbq 16(%[p]), %%rcx\n\t" "sbbq 24(%[p]), %%rdx\n\t"                        \
    "cmovcq %%r8, %%rax\n\t"   "cmovcq %%r9, %%rbx\n\t"                          \
    "cmovcq %%r10, %%rcx\n\t"  "cmovcq %%r11, %%rdx\n\t"                         \
    "movq %%rax, 0(%[r])\n\t"  "movq %%rbx, 8(%[r])\n\t"                         \
    "movq %%rcx, 16(%[r])\n\t" "movq %%rdx, 24(%[r])\n\t"

/* Set once by bn_init when the CPU has BMI2 and ADX. */
extern int bn_use_adx;

INLINE void mont_mul(fe *r, const fe *a, const fe *b, const uint64_t *p, uint64_t pinv) {
    if (bn_use_adx) {
        __asm__("xorl %%r8d, %%r8d\n\t"
                "xorl %%r9d, %%r9d\n\t"
                "xorl %%r10d, %%r10d\n\t"
                "xorl %%r11d, %%r11d\n\t"
                ZK_MONT_ROUND_ADX(0) ZK_MONT_ROUND_ADX(1) ZK_MONT_ROUND_ADX(2)
                ZK_MONT_ROUND_ADX(3) ZK_MONT_TAIL
                :
                : [r] "r"(r->l), [a] "r"(a->l), [b] "r"(b->l), [p] "r"(p), [pinv] "r"(pinv)
                : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "cc",
                  "memory");
        return;
    }
    __asm__("xorl %%r8d, %%r8d\n\t"
            "xorl %%r9d, %%r9d\n\t"
            "xorl %%r10d, %%r10d\n\t"
            "xorl %%r11d, %%r11d\n\t"
            ZK_MONT_ROUND(0) ZK_MONT_ROUND(1) ZK_MONT_ROUND(2) ZK_MONT_ROUND(3) ZK_MONT_TAIL
            :
            : [r] "r"(r->l), [a] "r"(a->l), [b] "r"(b->l), [p] "r"(p), [pinv] "r"(pinv)
            : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "cc", "memory");
}

#else /* portable C */
INLINE void sub_if_ge(uint64_t t[4], const uint64_t *p) {
    uint64_t s[4], br = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)t[i] - p[i] - br;
        s[i] = (uint64_t)d;
        br = (uint64_t)(d >> 127);
    }
    uint64_t keep = 0 - br; /* all ones when t < p */
    for (int i = 0; i < 4; i++) t[i] = (t[i] & keep) | (s[i] & ~keep);
}

INLINE void mont_mul(fe *r, const fe *a, const fe *b, const uint64_t *p, uint64_t pinv) {
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t bi = b->l[i];
        u128 c = (u128)a->l[0] * bi + t0;
        t0 = (uint64_t)c;
        c = (u128)a->l[1] * bi + t1 + (uint64_t)(c >> 64);
        t1 = (uint64_t)c;
        c = (u128)a->l[2] * bi + t2 + (uint64_t)(c >> 64);
        t2 = (uint64_t)c;
        c = (u128)a->l[3] * bi + t3 + (uint64_t)(c >> 64);
        t3 = (uint64_t)c;
        uint64_t hi = (uint64_t)(c >> 64);
        uint64_t m = t0 * pinv;
        c = (u128)m * p[0] + t0;
        c = (u128)m * p[1] + t1 + (uint64_t)(c >> 64);
        t0 = (uint64_t)c;
        c = (u128)m * p[2] + t2 + (uint64_t)(c >> 64);
        t1 = (uint64_t)c;
        c = (u128)m * p[3] + t3 + (uint64_t)(c >> 64);
        t2 = (uint64_t)c;
        t3 = hi + (uint64_t)(c >> 64);
    }
    uint64_t t[4] = {t0, t1, t2, t3};
    sub_if_ge(t, p);
    memcpy(r->l, t, sizeof t);
}

INLINE void mod_add(fe *r, const fe *a, const fe *b, const uint64_t *p) {
    uint64_t t[4], c = 0;
    for (int i = 0; i < 4; i++) {
        u128 s = (u128)a->l[i] + b->l[i] + c;
        t[i] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
    sub_if_ge(t, p);
    memcpy(r->l, t, sizeof t);
}

INLINE void mod_sub(fe *r, const fe *a, const fe *b, const uint64_t *p) {
    uint64_t t[4], br = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a->l[i] - b->l[i] - br;
        t[i] = (uint64_t)d;
        br = (uint64_t)(d >> 127);
    }
    uint64_t mask = 0 - br, c = 0;
    for (int i = 0; i < 4; i++) {
        u128 s = (u128)t[i] + (p[i] & mask) + c;
        r->l[i] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
}
#endif

INLINE int fe_is_zero(const fe *a) {
    return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0;
}

INLINE int fe_eq(const fe *a, const fe *b) {
    return ((a->l[0] ^ b->l[0]) | (a->l[1] ^ b->l[1]) | (a->l[2] ^ b->l[2]) |
            (a->l[3] ^ b->l[3])) == 0;
}

/* a < p for a raw (non-Montgomery) value. */
INLINE int fe_lt(const fe *a, const uint64_t *p) {
    for (int i = 3; i >= 0; i--) {
        if (a->l[i] != p[i]) return a->l[i] < p[i];
    }
    return 0;
}

INLINE void fe_load(fe *r, const uint8_t *b) {
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int j = 7; j >= 0; j--) v = (v << 8) | b[8 * i + j];
        r->l[i] = v;
    }
}

INLINE void fe_store(uint8_t *b, const fe *a) {
    for (int i = 0; i < 4; i++) {
        uint64_t v = a->l[i];
        for (int j = 0; j < 8; j++) b[8 * i + j] = (uint8_t)(v >> (8 * j));
    }
}

/* ---- Fq ------------------------------------------------------------------ */
INLINE void fq_mul(fe *r, const fe *a, const fe *b) { mont_mul(r, a, b, Q_P, Q_INV); }
INLINE void fq_sqr(fe *r, const fe *a) { mont_mul(r, a, a, Q_P, Q_INV); }
INLINE void fq_add(fe *r, const fe *a, const fe *b) { mod_add(r, a, b, Q_P); }
INLINE void fq_sub(fe *r, const fe *a, const fe *b) { mod_sub(r, a, b, Q_P); }
INLINE void fq_dbl(fe *r, const fe *a) { mod_add(r, a, a, Q_P); }
INLINE void fq_neg(fe *r, const fe *a) {
    static const fe zero = {{0, 0, 0, 0}};
    mod_sub(r, &zero, a, Q_P);
}
INLINE void fq_to_mont(fe *r, const fe *a) { mont_mul(r, a, &Q_R2, Q_P, Q_INV); }
INLINE void fq_from_mont(fe *r, const fe *a) {
    static const fe one = {{1, 0, 0, 0}};
    mont_mul(r, a, &one, Q_P, Q_INV);
}

/* ---- Fr ------------------------------------------------------------------ */
INLINE void fr_mul(fe *r, const fe *a, const fe *b) { mont_mul(r, a, b, R_P, R_INV); }
INLINE void fr_add(fe *r, const fe *a, const fe *b) { mod_add(r, a, b, R_P); }
INLINE void fr_sub(fe *r, const fe *a, const fe *b) { mod_sub(r, a, b, R_P); }
INLINE void fr_to_mont(fe *r, const fe *a) { mont_mul(r, a, &R_R2, R_P, R_INV); }
INLINE void fr_from_mont(fe *r, const fe *a) {
    static const fe one = {{1, 0, 0, 0}};
    mont_mul(r, a, &one, R_P, R_INV);
}

/* Montgomery-form powers and inverses (Fermat); defined in bn254.c. */
void fq_pow(fe *r, const fe *a, const uint64_t *e, int nlimbs);
void fr_pow(fe *r, const fe *a, const uint64_t *e, int nlimbs);
void fq_inv(fe *r, const fe *a);
void fr_inv(fe *r, const fe *a);

/* ---- Fq2 ----------------------------------------------------------------- */
INLINE void fq2_add(fq2 *r, const fq2 *a, const fq2 *b) {
    fq_add(&r->c0, &a->c0, &b->c0);
    fq_add(&r->c1, &a->c1, &b->c1);
}
INLINE void fq2_sub(fq2 *r, const fq2 *a, const fq2 *b) {
    fq_sub(&r->c0, &a->c0, &b->c0);
    fq_sub(&r->c1, &a->c1, &b->c1);
}
INLINE void fq2_dbl(fq2 *r, const fq2 *a) {
    fq_dbl(&r->c0, &a->c0);
    fq_dbl(&r->c1, &a->c1);
}
INLINE void fq2_neg(fq2 *r, const fq2 *a) {
    fq_neg(&r->c0, &a->c0);
    fq_neg(&r->c1, &a->c1);
}
INLINE void fq2_conj(fq2 *r, const fq2 *a) {
    r->c0 = a->c0;
    fq_neg(&r->c1, &a->c1);
}
INLINE void fq2_mul(fq2 *r, const fq2 *a, const fq2 *b) {
    fe v0, v1, s, t;
    fq_mul(&v0, &a->c0, &b->c0);
    fq_mul(&v1, &a->c1, &b->c1);
    fq_add(&s, &a->c0, &a->c1);
    fq_add(&t, &b->c0, &b->c1);
    fq_mul(&s, &s, &t);
    fq_sub(&r->c0, &v0, &v1);
    fq_sub(&s, &s, &v0);
    fq_sub(&r->c1, &s, &v1);
}
INLINE void fq2_sqr(fq2 *r, const fq2 *a) {
    fe s, d, m;
    fq_add(&s, &a->c0, &a->c1);
    fq_sub(&d, &a->c0, &a->c1);
    fq_mul(&m, &a->c0, &a->c1);
    fq_mul(&r->c0, &s, &d);
    fq_dbl(&r->c1, &m);
}
INLINE void fq2_mul_fq(fq2 *r, const fq2 *a, const fe *b) {
    fq_mul(&r->c0, &a->c0, b);
    fq_mul(&r->c1, &a->c1, b);
}
/* Multiplication by the non-residue xi = 9 + u. */
INLINE void fq2_mul_xi(fq2 *r, const fq2 *a) {
    fq2 t;
    fq2_dbl(&t, a);
    fq2_dbl(&t, &t);
    fq2_dbl(&t, &t);
    fq2_add(&t, &t, a); /* 9a */
    fe c0, c1;
    fq_sub(&c0, &t.c0, &a->c1);
    fq_add(&c1, &t.c1, &a->c0);
    r->c0 = c0;
    r->c1 = c1;
}
INLINE int fq2_is_zero(const fq2 *a) { return fe_is_zero(&a->c0) && fe_is_zero(&a->c1); }
INLINE int fq2_eq(const fq2 *a, const fq2 *b) {
    return fe_eq(&a->c0, &b->c0) && fe_eq(&a->c1, &b->c1);
}
void fq2_inv(fq2 *r, const fq2 *a);

/* ---- shared constants (filled by bn_init) -------------------------------- */
extern fq2 BN_TWIST_B;        /* b' = 3 / (9 + u) */
extern fq2 BN_PSI_X, BN_PSI_Y; /* xi^((q-1)/3), xi^((q-1)/2) */
extern fq2 BN_FROB[4][6];     /* [n][k] = xi^(k (q^n - 1) / 6), n = 1..3 */
void bn_pairing_init(void);

/* Point decoders shared with pairing.c (Montgomery affine; infinity flagged). */
bn_status bn_decode_g1(fe *x, fe *y, int *inf, const uint8_t *b);
bn_status bn_decode_g2(fq2 *x, fq2 *y, int *inf, const uint8_t *b);

/* ---- threads ------------------------------------------------------------- */
/* fn(ctx, lo, hi) over contiguous chunks of [0, n), one per worker. */
typedef void (*bn_range_fn)(void *ctx, size_t lo, size_t hi);
void bn_par_range(size_t n, int threads, bn_range_fn fn, void *ctx);
/* fn(ctx, task, worker) for task in [0, ntasks), scheduled dynamically. */
typedef void (*bn_task_fn)(void *ctx, size_t task, int worker);
void bn_par_tasks(size_t ntasks, int threads, bn_task_fn fn, void *ctx);

/* Smallest failing index across workers: keep the minimum atomically. */
INLINE void bn_note_bad(size_t *slot, size_t idx) {
    size_t cur = __atomic_load_n(slot, __ATOMIC_RELAXED);
    while (idx < cur &&
           !__atomic_compare_exchange_n(slot, &cur, idx, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

/* Loads a scalar; returns 0 if it is not < r. */
INLINE int fr_load_checked(fe *r, const uint8_t *b) {
    fe_load(r, b);
    return fe_lt(r, R_P);
}

#endif
