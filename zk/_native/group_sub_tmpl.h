/* Element-wise subtraction of two point vectors: out[i] = a[i] - b[i].
 * An extension of group_tmpl.h (same parameters), instantiated after it by bn254.c
 * (for G1). Per chunk of points, every addition a + (-b) is done in affine form and
 * the chunk's denominators (x differences, or 2y for a doubling) share one inversion
 * (Montgomery's trick); infinity on either side, a == b (infinity) and a == -b (a
 * doubling) are decided before the batch, so every case stays exact. */
#define PT_SUB_CHUNK 256

typedef struct {
    const uint8_t *a, *b;
    uint8_t *out;
    size_t bad; /* 2 * index + (0: a, 1: b) of the first point that fails to decode */
} PT(sub_ctx);

static void PT(sub_range)(void *vctx, size_t lo, size_t hi) {
    PT(sub_ctx) *ctx = vctx;
    PT(aff) p[PT_SUB_CHUNK], q[PT_SUB_CHUNK];
    F den[PT_SUB_CHUNK], pre[PT_SUB_CHUNK];
    uint32_t qi[PT_SUB_CHUNK];
    const size_t size = 2 * F_BYTES;
    for (size_t i = lo; i < hi; i += PT_SUB_CHUNK) {
        size_t m = hi - i < PT_SUB_CHUNK ? hi - i : PT_SUB_CHUNK, nq = 0;
        for (size_t k = 0; k < m; k++) {
            if (PT(decode)(&p[k], ctx->a + (i + k) * size) != BN_OK) {
                bn_note_bad(&ctx->bad, 2 * (i + k));
                return;
            }
            if (PT(decode)(&q[k], ctx->b + (i + k) * size) != BN_OK) {
                bn_note_bad(&ctx->bad, 2 * (i + k) + 1);
                return;
            }
            uint8_t *o = ctx->out + (i + k) * size;
            if (PT(aff_is_inf)(&q[k])) {             /* a - 0 = a */
                PT(encode)(o, &p[k]);
                continue;
            }
            F_NEG(&q[k].y, &q[k].y);                 /* q = -b */
            if (PT(aff_is_inf)(&p[k])) {             /* 0 - b = -b */
                PT(encode)(o, &q[k]);
                continue;
            }
            if (F_EQ(&p[k].x, &q[k].x)) {
                if (!F_EQ(&p[k].y, &q[k].y)) {       /* a == b: infinity */
                    memset(o, 0, size);
                    continue;
                }
                F_DBL(&den[nq], &p[k].y);            /* a == -b: 2a, lambda = 3x^2 / 2y */
            } else {
                F_SUB(&den[nq], &q[k].x, &p[k].x);
            }
            qi[nq++] = (uint32_t)k;
        }
        F_BATCH_INV(den, pre, nq);
        for (size_t j = 0; j < nq; j++) {
            size_t k = qi[j];
            const PT(aff) *a = &p[k], *c = &q[k];
            F lam, t, x3;
            if (F_EQ(&a->x, &c->x)) {
                F_SQR(&t, &a->x);
                F_DBL(&lam, &t);
                F_ADD(&t, &lam, &t);
            } else {
                F_SUB(&t, &c->y, &a->y);
            }
            F_MUL(&lam, &t, &den[j]);
            F_SQR(&x3, &lam);
            F_SUB(&x3, &x3, &a->x);
            F_SUB(&x3, &x3, &c->x);
            PT(aff) r;
            F_SUB(&t, &a->x, &x3);
            F_MUL(&t, &lam, &t);
            F_SUB(&r.y, &t, &a->y);
            r.x = x3;
            PT(encode)(ctx->out + (i + k) * size, &r);
        }
    }
}

/* out[i] = a[i] - b[i] for n canonical points each (infinity allowed); on a bad point
 * *bad = 2 * index + (1 if it is b's) and the decode status is returned. */
static bn_status PT(sub_many)(const uint8_t *a, const uint8_t *b, uint8_t *out, size_t n,
                              int threads, size_t *bad) {
    PT(sub_ctx) ctx = {a, b, out, SIZE_MAX};
    bn_par_range(n, n >= 1024 ? threads : 1, PT(sub_range), &ctx);
    if (ctx.bad == SIZE_MAX) return BN_OK;
    *bad = ctx.bad;
    PT(aff) t;
    return PT(decode)(&t, (ctx.bad & 1 ? b : a) + (ctx.bad >> 1) * 2 * F_BYTES);
}

#undef PT_SUB_CHUNK
