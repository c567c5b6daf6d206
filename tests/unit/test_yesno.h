/* What test_yesno.c and test_yesno_context.c share: answers, the stubs that stand in for the
 * worker, and the tests the second file holds. */
#ifndef CAMAS_TEST_YESNO_H
#define CAMAS_TEST_YESNO_H

#include "text.h"
#include "yesno.h"

#include <stdbool.h>
#include <stddef.h>

extern const char tf_meet[], tf_law[];

size_t stub_bodies(void *ud, const char *text, const char *lang, const char **ids, size_t max);
bool stub_body_word(void *ud, const char *word, const char *lang);

void test_identity(camas_stemmer *st);
void test_described(camas_stemmer *st);
void test_opposites(camas_stemmer *st);
void test_lexicon(camas_stemmer *st);
void test_described_by_fact(camas_stemmer *st);
void test_tags_and_auxiliaries(camas_stemmer *st);
void test_items_apart(camas_stemmer *st);
void test_one_missing(camas_stemmer *st);
void test_written_values(camas_stemmer *st);
void test_people(camas_stemmer *st);
void test_renewal_year(camas_stemmer *st);
/* frequencies with "per", a count before a pronoun, "invite-only", what the source does not
 * mention (test_yesno_context.c) */
void test_claim_readings(camas_stemmer *st);
void test_question_shapes(void);
/* this file's failed checks; *count its checks (check.h counts per file) */
int test_yesno_context_results(int *count);
/* test_yesno_shapes.c: the shape of a question before any verdict */
void test_unabbreviate(void);
void test_meetings_description(void);
int test_yesno_shapes_results(int *count);

#endif
