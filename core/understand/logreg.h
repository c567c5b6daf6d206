/* Logistic regression over sentence embeddings, trained in the worker from labelled examples
 * in knowledge/ (never the evaluation set): the learned danger detector (danger-examples.yaml:
 * the compiled patterns in safety.h stay the first net in the core; this second net catches
 * what they do not spell out, "they keep my papers and I can't go") and the scope classifier
 * (out-of-scope.yaml against the knowledge's example questions). Pure arithmetic: no I/O. */
#ifndef CAMAS_LOGREG_H
#define CAMAS_LOGREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct camas_logreg camas_logreg;

/* Changes whenever training changes, so that models kept from an earlier version are not
 * reused (understand.c keys them with it). */
#define CAMAS_LOGREG_VERSION 3u

/* Trains on n unit vectors of dimension dim (x is n*dim floats, row-major) with labels y
 * (1 positive, 0 negative); positive examples weigh pos_weight times more (recall first for
 * danger). NULL when there are no examples of one of the labels or memory ran out. */
camas_logreg *camas_logreg_train(const float *x, const unsigned char *y, size_t n, int dim,
                                 float pos_weight);
void camas_logreg_free(camas_logreg *m);

/* The same training in steps, so that the worker's background slices stay short:
 * camas_logreg_trainer_new copies x and y (NULL as camas_logreg_train would give NULL);
 * _step runs up to epochs more epochs and says whether all have run; _finish frees the
 * trainer and returns the model once all epochs have run (else NULL). */
typedef struct camas_logreg_trainer camas_logreg_trainer;
camas_logreg_trainer *camas_logreg_trainer_new(const float *x, const unsigned char *y, size_t n,
                                               int dim, float pos_weight);
bool camas_logreg_trainer_step(camas_logreg_trainer *t, int epochs);
camas_logreg *camas_logreg_trainer_finish(camas_logreg_trainer *t);
void camas_logreg_trainer_free(camas_logreg_trainer *t);

/* A trained model as two unit vectors of dimension dim (so it can be kept where vectors
 * are kept, dense.h): the weights' direction, and (|w|, bias, 1) scaled to unit length in
 * the first three components. camas_logreg_pack fills both (each dim floats, dim >= 3);
 * camas_logreg_unpack rebuilds the model (NULL if they do not describe one). */
void camas_logreg_pack(const camas_logreg *m, float *direction, float *scale);
camas_logreg *camas_logreg_unpack(const float *direction, const float *scale, int dim);

/* Probability-like score in [0,1] that embedding v is of the positive class. */
float camas_logreg_score(const camas_logreg *m, const float *v);

/* Multinomial logistic regression (softmax) over n unit vectors with labels y in
 * [0, nclass): which knowledge entry an example question belongs to, so that a question is
 * also judged by the directions that separate the entries, not only by its nearest
 * phrasing. Trained in steps (camas_softmax_train runs some epochs and says whether it is
 * done) so that the worker's background slices stay short. x and y are copied. */
typedef struct camas_softmax camas_softmax;
#define CAMAS_SOFTMAX_EPOCHS 60
camas_softmax *camas_softmax_new(const float *x, const uint32_t *y, size_t n, int dim,
                                 uint32_t nclass);
/* Runs up to epochs more epochs; true once all CAMAS_SOFTMAX_EPOCHS have run. */
bool camas_softmax_train(camas_softmax *m, int epochs);
void camas_softmax_free(camas_softmax *m);
uint32_t camas_softmax_classes(const camas_softmax *m);
/* log P(class | v) for every class into out (nclass floats). */
void camas_softmax_log_probs(const camas_softmax *m, const float *v, float *out);
/* A trained model as nclass + 1 unit vectors (so it can be kept where vectors are kept):
 * each class's weight direction, then (norms, biases, 1) scaled to unit length; needs
 * 2 * nclass + 1 <= dim. pack writes (nclass + 1) * dim floats; unpack rebuilds (NULL if
 * they do not describe a model). */
bool camas_softmax_pack(const camas_softmax *m, float *out);
camas_softmax *camas_softmax_unpack(const float *in, uint32_t nclass, int dim);

/* The scope classifier's score below which a question is out of scope (unless the lexical
 * matcher is sure of it). */
#define CAMAS_SCOPE_MIN 0.6f

#endif
