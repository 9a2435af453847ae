/* Optimal-ate pairing check on BN254: the Fq6/Fq12 tower, a multi-pairing
 * Miller loop with projective line functions (D-type twist), and the final
 * exponentiation (easy part via Frobenius, hard part via the x-power chain of
 * Fuentes-Castaneda et al., which yields a fixed non-zero power of the pairing,
 * so "product == 1" is decided exactly).
 *
 * Tower: Fq6 = Fq2[v]/(v^3 - xi), xi = 9 + u; Fq12 = Fq6[w]/(w^2 - v).
 */
#include <stdlib.h>

#include "bn254_impl.h"

typedef struct { fq2 c0, c1, c2; } fq6;
typedef struct { fq6 c0, c1; } fq12;

fq2 BN_PSI_X, BN_PSI_Y;
fq2 BN_FROB[4][6];
static fe TWO_INV;

static const uint64_t SEED = 4965661367192848881ULL;
/* 6x + 2 in non-adjacent form, least significant digit first. */
static const int8_t ATE_NAF[66] = {
    0, 0, 0, 1, 0, 1, 0, -1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, -1, 0, 0,
    0, 1, 0, -1, 0, 0, 0, 0, -1, 0, 0, 1, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0,
    -1, 0, 0, -1, 0, 1, 0, -1, 0, 0, 0, -1, 0, -1, 0, 0, 0, 1, 0, -1, 0, 1};

/* ---- Fq6 ------------------------------------------------------------------ */
static inline void fq6_add(fq6 *r, const fq6 *a, const fq6 *b) {
    fq2_add(&r->c0, &a->c0, &b->c0);
    fq2_add(&r->c1, &a->c1, &b->c1);
    fq2_add(&r->c2, &a->c2, &b->c2);
}

static inline void fq6_sub(fq6 *r, const fq6 *a, const fq6 *b) {
    fq2_sub(&r->c0, &a->c0, &b->c0);
    fq2_sub(&r->c1, &a->c1, &b->c1);
    fq2_sub(&r->c2, &a->c2, &b->c2);
}

static inline void fq6_neg(fq6 *r, const fq6 *a) {
    fq2_neg(&r->c0, &a->c0);
    fq2_neg(&r->c1, &a->c1);
    fq2_neg(&r->c2, &a->c2);
}

static void fq6_mul(fq6 *r, const fq6 *a, const fq6 *b) {
    fq2 t0, t1, t2, s, u, c0, c1, c2;
    fq2_mul(&t0, &a->c0, &b->c0);
    fq2_mul(&t1, &a->c1, &b->c1);
    fq2_mul(&t2, &a->c2, &b->c2);
    fq2_add(&s, &a->c1, &a->c2);
    fq2_add(&u, &b->c1, &b->c2);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t1);
    fq2_sub(&s, &s, &t2);
    fq2_mul_xi(&s, &s);
    fq2_add(&c0, &s, &t0);
    fq2_add(&s, &a->c0, &a->c1);
    fq2_add(&u, &b->c0, &b->c1);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t0);
    fq2_sub(&s, &s, &t1);
    fq2_mul_xi(&u, &t2);
    fq2_add(&c1, &s, &u);
    fq2_add(&s, &a->c0, &a->c2);
    fq2_add(&u, &b->c0, &b->c2);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t0);
    fq2_sub(&s, &s, &t2);
    fq2_add(&c2, &s, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* r = a * v */
static inline void fq6_mul_v(fq6 *r, const fq6 *a) {
    fq2 t;
    fq2_mul_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

/* r = a * (b0 + b1 v) */
static void fq6_mul_01(fq6 *r, const fq6 *a, const fq2 *b0, const fq2 *b1) {
    fq2 t0, t1, s, u, c0, c1, c2;
    fq2_mul(&t0, &a->c0, b0);
    fq2_mul(&t1, &a->c1, b1);
    fq2_mul(&s, &a->c2, b1);
    fq2_mul_xi(&s, &s);
    fq2_add(&c0, &s, &t0);
    fq2_add(&s, &a->c0, &a->c1);
    fq2_add(&u, b0, b1);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t0);
    fq2_sub(&c1, &s, &t1);
    fq2_mul(&s, &a->c2, b0);
    fq2_add(&c2, &s, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

static void fq6_inv(fq6 *r, const fq6 *a) {
    fq2 c0, c1, c2, t, s;
    fq2_sqr(&c0, &a->c0);
    fq2_mul(&t, &a->c1, &a->c2);
    fq2_mul_xi(&t, &t);
    fq2_sub(&c0, &c0, &t);
    fq2_sqr(&c1, &a->c2);
    fq2_mul_xi(&c1, &c1);
    fq2_mul(&t, &a->c0, &a->c1);
    fq2_sub(&c1, &c1, &t);
    fq2_sqr(&c2, &a->c1);
    fq2_mul(&t, &a->c0, &a->c2);
    fq2_sub(&c2, &c2, &t);
    fq2_mul(&t, &a->c2, &c1);
    fq2_mul(&s, &a->c1, &c2);
    fq2_add(&t, &t, &s);
    fq2_mul_xi(&t, &t);
    fq2_mul(&s, &a->c0, &c0);
    fq2_add(&t, &t, &s);
    fq2_inv(&t, &t);
    fq2_mul(&r->c0, &c0, &t);
    fq2_mul(&r->c1, &c1, &t);
    fq2_mul(&r->c2, &c2, &t);
}

/* ---- Fq12 ----------------------------------------------------------------- */
static void fq12_one(fq12 *r) {
    memset(r, 0, sizeof *r);
    r->c0.c0.c0 = Q_ONE;
}

static int fq12_is_one(const fq12 *a) {
    fq12 one;
    fq12_one(&one);
    return memcmp(a, &one, sizeof one) == 0;
}

static void fq12_mul(fq12 *r, const fq12 *a, const fq12 *b) {
    fq6 t0, t1, s, u;
    fq6_mul(&t0, &a->c0, &b->c0);
    fq6_mul(&t1, &a->c1, &b->c1);
    fq6_add(&s, &a->c0, &a->c1);
    fq6_add(&u, &b->c0, &b->c1);
    fq6_mul(&s, &s, &u);
    fq6_sub(&s, &s, &t0);
    fq6_sub(&r->c1, &s, &t1);
    fq6_mul_v(&t1, &t1);
    fq6_add(&r->c0, &t0, &t1);
}

static void fq12_sqr(fq12 *r, const fq12 *a) {
    fq6 t, s, u;
    fq6_mul(&t, &a->c0, &a->c1);
    fq6_add(&s, &a->c0, &a->c1);
    fq6_mul_v(&u, &a->c1);
    fq6_add(&u, &u, &a->c0);
    fq6_mul(&s, &s, &u);
    fq6_sub(&s, &s, &t);
    fq6_mul_v(&u, &t);
    fq6_sub(&r->c0, &s, &u);
    fq6_add(&r->c1, &t, &t);
}

static void fq12_conj(fq12 *r, const fq12 *a) {
    r->c0 = a->c0;
    fq6_neg(&r->c1, &a->c1);
}

static void fq12_inv(fq12 *r, const fq12 *a) {
    fq6 t, s;
    fq6_mul(&t, &a->c0, &a->c0);
    fq6_mul(&s, &a->c1, &a->c1);
    fq6_mul_v(&s, &s);
    fq6_sub(&t, &t, &s);
    fq6_inv(&t, &t);
    fq6_mul(&r->c0, &a->c0, &t);
    fq6_mul(&s, &a->c1, &t);
    fq6_neg(&r->c1, &s);
}

/* a^(q^n), n = 1..3: the w^k coefficient is conjugated n times and scaled. */
static void fq12_frob(fq12 *r, const fq12 *a, int n) {
    fq2 *dst[6] = {&r->c0.c0, &r->c1.c0, &r->c0.c1, &r->c1.c1, &r->c0.c2, &r->c1.c2};
    const fq2 *src[6] = {&a->c0.c0, &a->c1.c0, &a->c0.c1, &a->c1.c1, &a->c0.c2, &a->c1.c2};
    for (int k = 0; k < 6; k++) {
        fq2 t = *src[k];
        if (n & 1) fq2_conj(&t, &t);
        if (k) fq2_mul(&t, &t, &BN_FROB[n][k]);
        *dst[k] = t;
    }
}

/* f *= (c0 + (c3 + c4 v) w), the shape of a line evaluated at a G1 point. */
static void fq12_mul_034(fq12 *f, const fq2 *c0, const fq2 *c3, const fq2 *c4) {
    fq6 a, b, e;
    fq2_mul(&a.c0, &f->c0.c0, c0);
    fq2_mul(&a.c1, &f->c0.c1, c0);
    fq2_mul(&a.c2, &f->c0.c2, c0);
    fq6_mul_01(&b, &f->c1, c3, c4);
    fq2 s;
    fq2_add(&s, c0, c3);
    fq6_add(&e, &f->c0, &f->c1);
    fq6_mul_01(&e, &e, &s, c4);
    fq6_sub(&e, &e, &a);
    fq6_sub(&f->c1, &e, &b);
    fq6_mul_v(&b, &b);
    fq6_add(&f->c0, &a, &b);
}

/* ---- Miller loop ---------------------------------------------------------- */
typedef struct { fq2 x, y, z; } g2proj; /* homogeneous: (X/Z, Y/Z) */

typedef struct {
    fe px, py;   /* G1 point, affine */
    fq2 qx, qy;  /* G2 point, affine */
    g2proj t;    /* running multiple of Q */
} pair_state;

static void line_eval(fq12 *f, const pair_state *s, const fq2 *l0, const fq2 *l1,
                      const fq2 *l2) {
    fq2 c0, c1;
    fq2_mul_fq(&c0, l0, &s->py);
    fq2_mul_fq(&c1, l1, &s->px);
    fq12_mul_034(f, &c0, &c1, l2);
}

/* T = 2T and f *= line through T tangent. */
static void dbl_step(fq12 *f, pair_state *s) {
    g2proj *t = &s->t;
    fq2 a, b, c, e, ff, g, h, i, j, e2, tmp;
    fq2_mul(&a, &t->x, &t->y);
    fq2_mul_fq(&a, &a, &TWO_INV);
    fq2_sqr(&b, &t->y);
    fq2_sqr(&c, &t->z);
    fq2_dbl(&e, &c);
    fq2_add(&e, &e, &c);
    fq2_mul(&e, &e, &BN_TWIST_B);
    fq2_dbl(&ff, &e);
    fq2_add(&ff, &ff, &e);
    fq2_add(&g, &b, &ff);
    fq2_mul_fq(&g, &g, &TWO_INV);
    fq2_add(&h, &t->y, &t->z);
    fq2_sqr(&h, &h);
    fq2_add(&tmp, &b, &c);
    fq2_sub(&h, &h, &tmp);
    fq2_sub(&i, &e, &b);
    fq2_sqr(&j, &t->x);
    fq2_sqr(&e2, &e);
    fq2_sub(&tmp, &b, &ff);
    fq2_mul(&t->x, &a, &tmp);
    fq2_sqr(&t->y, &g);
    fq2_dbl(&tmp, &e2);
    fq2_add(&tmp, &tmp, &e2);
    fq2_sub(&t->y, &t->y, &tmp);
    fq2_mul(&t->z, &b, &h);
    fq2 l0, l1;
    fq2_neg(&l0, &h);
    fq2_dbl(&l1, &j);
    fq2_add(&l1, &l1, &j);
    line_eval(f, s, &l0, &l1, &i);
}

/* T = T + (qx, qy) and f *= line through both. */
static void add_step(fq12 *f, pair_state *s, const fq2 *qx, const fq2 *qy) {
    g2proj *t = &s->t;
    fq2 theta, lambda, c, d, e, ff, g, h, j, tmp;
    fq2_mul(&tmp, qy, &t->z);
    fq2_sub(&theta, &t->y, &tmp);
    fq2_mul(&tmp, qx, &t->z);
    fq2_sub(&lambda, &t->x, &tmp);
    fq2_sqr(&c, &theta);
    fq2_sqr(&d, &lambda);
    fq2_mul(&e, &lambda, &d);
    fq2_mul(&ff, &t->z, &c);
    fq2_mul(&g, &t->x, &d);
    fq2_add(&h, &e, &ff);
    fq2_sub(&h, &h, &g);
    fq2_sub(&h, &h, &g);
    fq2_mul(&t->x, &lambda, &h);
    fq2_sub(&tmp, &g, &h);
    fq2_mul(&tmp, &theta, &tmp);
    fq2_mul(&g, &e, &t->y);
    fq2_sub(&t->y, &tmp, &g);
    fq2_mul(&t->z, &t->z, &e);
    fq2_mul(&j, &theta, qx);
    fq2_mul(&tmp, &lambda, qy);
    fq2_sub(&j, &j, &tmp);
    fq2 l1;
    fq2_neg(&l1, &theta);
    line_eval(f, s, &lambda, &l1, &j);
}

/* (x, y) -> psi(x, y) on the twist. */
static void psi_aff(fq2 *rx, fq2 *ry, const fq2 *x, const fq2 *y) {
    fq2 t;
    fq2_conj(&t, x);
    fq2_mul(rx, &t, &BN_PSI_X);
    fq2_conj(&t, y);
    fq2_mul(ry, &t, &BN_PSI_Y);
}

static void miller_loop(fq12 *f, pair_state *ps, size_t k) {
    fq12_one(f);
    for (size_t p = 0; p < k; p++) {
        ps[p].t.x = ps[p].qx;
        ps[p].t.y = ps[p].qy;
        memset(&ps[p].t.z, 0, sizeof(fq2));
        ps[p].t.z.c0 = Q_ONE;
    }
    for (int i = 64; i >= 0; i--) {
        fq12_sqr(f, f);
        for (size_t p = 0; p < k; p++) {
            dbl_step(f, &ps[p]);
            if (ATE_NAF[i] == 1) {
                add_step(f, &ps[p], &ps[p].qx, &ps[p].qy);
            } else if (ATE_NAF[i] == -1) {
                fq2 ny;
                fq2_neg(&ny, &ps[p].qy);
                add_step(f, &ps[p], &ps[p].qx, &ny);
            }
        }
    }
    for (size_t p = 0; p < k; p++) {
        fq2 x1, y1, x2, y2;
        psi_aff(&x1, &y1, &ps[p].qx, &ps[p].qy);
        psi_aff(&x2, &y2, &x1, &y1);
        fq2_neg(&y2, &y2);
        add_step(f, &ps[p], &x1, &y1);
        add_step(f, &ps[p], &x2, &y2);
    }
}

/* ---- final exponentiation ------------------------------------------------- */
/* f^(-x) for f in the cyclotomic subgroup (inverse = conjugate). */
static void exp_by_neg_x(fq12 *r, const fq12 *f) {
    fq12 acc = *f; /* the seed's top bit is bit 62 */
    for (int i = 61; i >= 0; i--) {
        fq12_sqr(&acc, &acc);
        if ((SEED >> i) & 1) fq12_mul(&acc, &acc, f);
    }
    fq12_conj(r, &acc);
}

static void final_exp(fq12 *r, const fq12 *f) {
    fq12 t, m, y0, y1, y2, y3, y4, y5, y6, y7, y8, y9, y10, y11, y12, y13, y14, y15;
    /* easy part: f^((q^6 - 1)(q^2 + 1)) */
    fq12_inv(&t, f);
    fq12_conj(&m, f);
    fq12_mul(&m, &m, &t);
    fq12_frob(&t, &m, 2);
    fq12_mul(&m, &t, &m);
    /* hard part: m^(2x (6x^2 + 3x + 1) (q^4 - q^2 + 1) / r) */
    exp_by_neg_x(&y0, &m);
    fq12_sqr(&y1, &y0);
    fq12_sqr(&y2, &y1);
    fq12_mul(&y3, &y2, &y1);
    exp_by_neg_x(&y4, &y3);
    fq12_sqr(&y5, &y4);
    exp_by_neg_x(&y6, &y5);
    fq12_conj(&y3, &y3);
    fq12_conj(&y6, &y6);
    fq12_mul(&y7, &y6, &y4);
    fq12_mul(&y8, &y7, &y3);
    fq12_mul(&y9, &y8, &y1);
    fq12_mul(&y10, &y8, &y4);
    fq12_mul(&y11, &y10, &m);
    fq12_frob(&y12, &y9, 1);
    fq12_mul(&y13, &y12, &y11);
    fq12_frob(&y8, &y8, 2);
    fq12_mul(&y14, &y8, &y13);
    fq12_conj(&m, &m);
    fq12_mul(&y15, &m, &y9);
    fq12_frob(&y15, &y15, 3);
    fq12_mul(r, &y15, &y14);
}

bn_status bn_pairing_check(const uint8_t *g1, const uint8_t *g2, size_t k, int *ok,
                           size_t *bad) {
    pair_state *ps = malloc(sizeof(pair_state) * (k ? k : 1));
    if (!ps) return BN_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        int inf1, inf2;
        bn_status st = bn_decode_g1(&ps[m].px, &ps[m].py, &inf1, g1 + 64 * i);
        if (st == BN_OK) st = bn_decode_g2(&ps[m].qx, &ps[m].qy, &inf2, g2 + 128 * i);
        if (st != BN_OK) {
            free(ps);
            *bad = i;
            return st;
        }
        if (!inf1 && !inf2) m++;
    }
    fq12 f;
    miller_loop(&f, ps, m);
    final_exp(&f, &f);
    *ok = fq12_is_one(&f);
    free(ps);
    return BN_OK;
}

/* ---- constants -------------------------------------------------------------- */
/* e = (q - 1) / d for a small divisor d. */
static void q_minus_one_div(uint64_t e[4], uint64_t d) {
    uint64_t v[4] = {Q_P[0] - 1, Q_P[1], Q_P[2], Q_P[3]};
    u128 rem = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = (rem << 64) | v[i];
        e[i] = (uint64_t)(cur / d);
        rem = cur % d;
    }
}

static void fq2_pow(fq2 *r, const fq2 *a, const uint64_t e[4]) {
    fq2 acc;
    memset(&acc, 0, sizeof acc);
    acc.c0 = Q_ONE;
    for (int i = 255; i >= 0; i--) {
        fq2_sqr(&acc, &acc);
        if ((e[i >> 6] >> (i & 63)) & 1) fq2_mul(&acc, &acc, a);
    }
    *r = acc;
}

void bn_pairing_init(void) {
    fq2 xi, g, conj;
    memset(&xi, 0, sizeof xi);
    xi.c0 = Q_ONE;
    for (int i = 0; i < 8; i++) fq_add(&xi.c0, &xi.c0, &Q_ONE);
    xi.c1 = Q_ONE;
    uint64_t e[4];
    q_minus_one_div(e, 6);
    fq2_pow(&g, &xi, e);
    memset(BN_FROB, 0, sizeof BN_FROB);
    BN_FROB[1][0].c0 = Q_ONE;
    for (int k = 1; k < 6; k++) fq2_mul(&BN_FROB[1][k], &BN_FROB[1][k - 1], &g);
    for (int k = 0; k < 6; k++) {
        fq2_conj(&conj, &BN_FROB[1][k]);
        fq2_mul(&BN_FROB[2][k], &conj, &BN_FROB[1][k]);
        fq2_mul(&BN_FROB[3][k], &BN_FROB[2][k], &BN_FROB[1][k]);
    }
    BN_PSI_X = BN_FROB[1][2];
    BN_PSI_Y = BN_FROB[1][3];
    fe two;
    fq_add(&two, &Q_ONE, &Q_ONE);
    fq_inv(&TWO_INV, &two);
}
