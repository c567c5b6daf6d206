/* Logistic regression over sentence embeddings, trained in the worker from labelled examples
 * in knowledge/ (never the evaluation set): the learned danger detector (danger-examples.yaml:
 * the compiled patterns in safety.h stay the first net in the core; this second net catches
 * what they do not spell out, "they keep my papers and I can't go") and the scope classifier
 * (out-of-scope.yaml against the knowledge's example questions). Pure arithmetic: no I/O. */
#ifndef CAMAS_LOGREG_H
#define CAMAS_LOGREG_H

#include <stddef.h>

typedef struct camas_logreg camas_logreg;

/* Changes whenever training changes, so that models kept from an earlier version are not
 * reused (understand.c keys them with it). */
#define CAMAS_LOGREG_VERSION 2u

/* Trains on n unit vectors of dimension dim (x is n*dim floats, row-major) with labels y
 * (1 positive, 0 negative); positive examples weigh pos_weight times more (recall first for
 * danger). NULL when there are no examples of one of the labels or memory ran out. */
camas_logreg *camas_logreg_train(const float *x, const unsigned char *y, size_t n, int dim,
                                 float pos_weight);
void camas_logreg_free(camas_logreg *m);

/* A trained model as two unit vectors of dimension dim (so it can be kept where vectors
 * are kept, dense.h): the weights' direction, and (|w|, bias, 1) scaled to unit length in
 * the first three components. camas_logreg_pack fills both (each dim floats, dim >= 3);
 * camas_logreg_unpack rebuilds the model (NULL if they do not describe one). */
void camas_logreg_pack(const camas_logreg *m, float *direction, float *scale);
camas_logreg *camas_logreg_unpack(const float *direction, const float *scale, int dim);

/* Probability-like score in [0,1] that embedding v is of the positive class. */
float camas_logreg_score(const camas_logreg *m, const float *v);

/* The scope classifier's score below which a question is out of scope (unless the lexical
 * matcher is sure of it). */
#define CAMAS_SCOPE_MIN 0.6f

#endif
