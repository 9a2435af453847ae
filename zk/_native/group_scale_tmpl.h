/* Scaling many points by a power sequence: out[i] = (first * step^i) * in[i].
 * An extension of group_tmpl.h (same parameters), instantiated after it by bn254.c.
 * Per point: signed 4-bit windows over a table of 1P..8P; the tables of a chunk of
 * points and the results go to affine form with one inversion each. */
#define PT_SC_CHUNK 64
#define PT_SC_C 4
#define PT_SC_NWIN 64
#define PT_SC_TAB 8

typedef struct {
    const uint8_t *in;
    uint8_t *out;
    fe first, step; /* Montgomery form */
    size_t bad;
} PT(sc_ctx);

static void PT(sc_range)(void *vctx, size_t lo, size_t hi) {
    PT(sc_ctx) *ctx = vctx;
    PT(jac) *jt = malloc(sizeof(PT(jac)) * PT_SC_CHUNK * PT_SC_TAB);
    PT(aff) *tab = malloc(sizeof(PT(aff)) * PT_SC_CHUNK * PT_SC_TAB);
    F *scratch = malloc(sizeof(F) * PT_SC_CHUNK * PT_SC_TAB);
    PT(jac) acc[PT_SC_CHUNK];
    PT(aff) pts[PT_SC_CHUNK];
    int16_t dg[PT_SC_NWIN];
    if (!jt || !tab || !scratch) {
        bn_note_bad(&ctx->bad, lo); /* reported as out of memory by the caller */
        goto done;
    }
    fe s;
    uint64_t e = lo;
    fr_pow(&s, &ctx->step, &e, 1);
    fr_mul(&s, &s, &ctx->first);
    for (size_t i = lo; i < hi; i += PT_SC_CHUNK) {
        size_t m = hi - i < PT_SC_CHUNK ? hi - i : PT_SC_CHUNK;
        for (size_t k = 0; k < m; k++) {
            if (PT(decode)(&pts[k], ctx->in + (i + k) * 2 * F_BYTES) != BN_OK) {
                bn_note_bad(&ctx->bad, i + k);
                goto done;
            }
            PT(jac) *t = jt + k * PT_SC_TAB;
            PT(from_aff)(&t[0], &pts[k]);
            PT(dbl)(&t[1], &t[0]);
            for (int j = 2; j < PT_SC_TAB; j++) {
                t[j] = t[j - 1];
                PT(add_aff)(&t[j], &pts[k]);
            }
        }
        PT(batch_to_aff)(tab, jt, m * PT_SC_TAB, scratch);
        for (size_t k = 0; k < m; k++) {
            fe raw;
            fr_from_mont(&raw, &s);
            fr_mul(&s, &s, &ctx->step);
            signed_digits(dg, &raw, PT_SC_C, PT_SC_NWIN);
            const PT(aff) *t = tab + k * PT_SC_TAB;
            PT(set_inf)(&acc[k]);
            if (PT(aff_is_inf)(&pts[k])) continue;
            for (int w = PT_SC_NWIN - 1; w >= 0; w--) {
                for (int b = 0; b < PT_SC_C; b++) PT(dbl)(&acc[k], &acc[k]);
                int d = dg[w];
                if (d > 0) {
                    PT(add_aff)(&acc[k], &t[d - 1]);
                } else if (d < 0) {
                    PT(aff) neg;
                    PT(aff_neg)(&neg, &t[-d - 1]);
                    PT(add_aff)(&acc[k], &neg);
                }
            }
        }
        PT(batch_to_aff)(pts, acc, m, scratch);
        for (size_t k = 0; k < m; k++) PT(encode)(ctx->out + (i + k) * 2 * F_BYTES, &pts[k]);
    }
done:
    free(jt);
    free(tab);
    free(scratch);
}

static bn_status PT(scale)(const uint8_t *in, uint8_t *out, size_t n, const uint8_t first[32],
                           const uint8_t step[32], int threads, size_t *bad) {
    PT(sc_ctx) ctx;
    fe f, st;
    if (!fr_load_checked(&f, first) || !fr_load_checked(&st, step)) {
        *bad = 0;
        return BN_ERR_ARG;
    }
    ctx.in = in;
    ctx.out = out;
    fr_to_mont(&ctx.first, &f);
    fr_to_mont(&ctx.step, &st);
    ctx.bad = SIZE_MAX;
    bn_par_range(n, n >= 64 ? threads : 1, PT(sc_range), &ctx);
    if (ctx.bad == SIZE_MAX) return BN_OK;
    *bad = ctx.bad;
    PT(aff) a;
    bn_status stt = PT(decode)(&a, in + ctx.bad * 2 * F_BYTES);
    return stt == BN_OK ? BN_ERR_NOMEM : stt;
}

#undef PT_SC_CHUNK
#undef PT_SC_C
#undef PT_SC_NWIN
#undef PT_SC_TAB
