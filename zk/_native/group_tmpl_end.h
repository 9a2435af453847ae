/* Undefines the parameters of group_tmpl.h after each instantiation (G1, G2). */
#undef PT
#undef F
#undef F_BYTES
#undef F_ADD
#undef F_SUB
#undef F_DBL
#undef F_NEG
#undef F_MUL
#undef F_SQR
#undef F_ISZERO
#undef F_EQ
#undef F_INV
#undef F_ONE
#undef F_B
#undef F_DECODE
#undef F_BATCH_INV
#undef F_ENCODE
