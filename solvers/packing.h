/*
 * The packing kernel: greedy placement rules, their workspace and
 * insertion into a partial placement (packing.c).
 *
 * The `greedy` solver (greedy.c) runs a portfolio of these rules and keeps
 * the best; the online placer (src/engine/place.c) places arriving VMs
 * with one of them; the local search reinserts displaced items into a
 * partial placement with them.
 *
 * A rule has two halves:
 *  - an item order (item-centric rules): by priority, then by how
 *    restricted the item is (allowed hosts), then by decreasing size under
 *    a size measure (L-inf "max", L1 "sum", L2, product) with per-resource
 *    weights ("unit": 1 / average host capacity; "avg": also times the
 *    resource's average relative demand; "rem": also divided by the share
 *    of capacity that would remain after every placeable item is placed);
 *  - a host choice: among the hosts already in use, first fit (ffd), best
 *    fit (bfd: least remaining size after placement, same measure) or worst
 *    fit (wfd: most remaining); when no used host fits, the first empty host
 *    that fits in order of cost efficiency (host cost per weighted
 *    capacity), so that cheap capacity opens first.
 * Bin-centric rules (dot, norm, cos; Panigrahy et al., "Heuristics for
 * Vector Bin Packing") fill one host at a time, used hosts first, then
 * empty hosts by cost efficiency, each time taking the pending item with
 * the largest weighted dot product between its demand and the host's
 * remaining capacity (dot), the smallest weighted L2 norm of the
 * difference (norm), or the largest cosine of the angle between the two
 * (cos: the item whose shape matches the room left, whatever its size).
 * Placing a single item (vmp__greedy_choose) with a bin-centric rule picks
 * the used host with the best such score.
 *
 * Every choice honours every hard constraint through vmp__state_fits
 * (allowed hosts, pins, maintenance, capacity with overcommit and
 * reserved, anti-affinity and label-scoped affinity).  Soft terms break
 * ties: when the chosen host would add a soft penalty, a few more hosts
 * that cost the same to use (another used host, or an empty host of the
 * same cost efficiency) are looked at and the one with the least soft
 * penalty wins.
 *
 * Hosts are found through two trees over the hosts in cost-efficiency
 * order (used and empty hosts), each node holding the component-wise
 * maximum and minimum remaining capacity of its subtree, so that a search
 * skips every subtree where the item cannot fit (first fit) or cannot beat
 * the best host found so far (best and worst fit, dot, norm).
 */
#ifndef VMP_PACKING_H
#define VMP_PACKING_H

#include "state.h"

/* ---- rules ------------------------------------------------------------------ */

/* Host-choice kinds; the bin-centric ones (VMP__GK_DOT and after) last. */
enum { VMP__GK_FF = 0, VMP__GK_BF, VMP__GK_WF, VMP__GK_DOT, VMP__GK_NORM, VMP__GK_COS };
/* Size measures. */
enum { VMP__GM_MAX = 0, VMP__GM_SUM, VMP__GM_L2, VMP__GM_PROD };
/* Resource weightings. */
enum { VMP__GW_UNIT = 0, VMP__GW_AVG, VMP__GW_REM };

/* The number of rules: 12 item-centric rules for each of ffd, bfd and
 * wfd, and 9 bin-centric ones. */
#define VMP__GREEDY_NRULES 45

/* Rule ids are 0 .. vmp__greedy_nrules()-1.  Names: "ffd_l2_avg",
 * "bfd_sum_unit", "wfd_max_rem", "dot_avg", "norm_unit", "cos_rem", ... */
int vmp__greedy_nrules(void);
/* The name of rule id `rule` ("?" when out of range).  Static. */
const char *vmp__greedy_rule_name(int rule);
/* The id of a rule name, or -1. */
int vmp__greedy_rule_find(const char *name);
/* The kind (VMP__GK_*), measure and weighting of a rule. */
void vmp__greedy_rule_parts(int rule, int *kind, int *measure, int *weight);
/* The default rule for online placement of single VMs. */
int vmp__greedy_default_online_rule(void);

/* Parses a comma-separated rule list ("ffd_l2_avg,dot_avg"; "all" for
 * every rule) into ids (at most vmp__greedy_nrules(), duplicates dropped).
 * Returns the number of rules, or VMP_EINVAL with a message naming the
 * unknown rule. */
int vmp__greedy_parse_rules(const char *text, int *ids);

/* ---- the workspace ------------------------------------------------------------ */

/* Everything a rule needs besides the placement: per-rule weights, item
 * keys, host orders, the host trees.  One per model and thread; reusable
 * across any number of states and rules. */
typedef struct vmp__greedy vmp__greedy;

/* Creates a workspace for model m (which must outlive it).  O(items +
 * hosts x resources).  0 or VMP_ENOMEM. */
int vmp__greedy_new(const vmp__model *m, vmp__greedy **out);
void vmp__greedy_free(vmp__greedy *g);

/* Binds the workspace to a state and a rule: (re)builds the host trees
 * from the state's loads, O(hosts x resources).  Needed before
 * vmp__greedy_choose/place, and again whenever the state was changed by
 * anything but the vmp__greedy_* calls below (or vmp__greedy_refresh was
 * called for each host that changed).  0 or VMP_ENOMEM. */
int vmp__greedy_bind(vmp__greedy *g, vmp__state *st, int rule);

/* The host the bound rule picks for item i given the bound state, or -1
 * when it fits nowhere.  Does not change anything. */
int32_t vmp__greedy_choose(vmp__greedy *g, size_t i);
/* As vmp__greedy_choose, among the hosts in use only (never opens one). */
int32_t vmp__greedy_choose_used(vmp__greedy *g, size_t i);
/* Caps the tree nodes a best-fit style search (bfd, wfd, dot, norm) may
 * visit per choice; the best host found within the cap wins (the search
 * visits the most promising subtrees first).  0 (the default): exact.
 * Online placement uses a cap to bound its latency. */
void vmp__greedy_set_search_budget(vmp__greedy *g, long nodes);
/* Places item i where vmp__greedy_choose says; returns the host or -1. */
int32_t vmp__greedy_place(vmp__greedy *g, size_t i);
/* Places item i on host h (the caller checked vmp__state_fits) keeping the
 * trees in sync. */
void vmp__greedy_place_at(vmp__greedy *g, size_t i, size_t h);
/* Unplaces item i keeping the trees in sync. */
void vmp__greedy_unplace(vmp__greedy *g, size_t i);
/* Re-reads host h from the bound state (after a direct state change). */
void vmp__greedy_refresh(vmp__greedy *g, size_t h);
/* Hides host h from every choice (hidden != 0) or shows it again, e.g. a
 * host that a local search is emptying. */
void vmp__greedy_hide(vmp__greedy *g, size_t h, int hidden);

/* After the model grew (model.h, "Growing a model after compile"):
 * vmp__greedy_classes_added makes the workspace know the allowed classes
 * added since it was made; vmp__greedy_hosts_changed re-reads host h after
 * vmp__model_set_usable (O(hosts) per small class holding h);
 * vmp__greedy_item_changed re-reads item i after its allowed class
 * changed.  The first two return 0 or VMP_ENOMEM. */
int vmp__greedy_classes_added(vmp__greedy *g);
int vmp__greedy_hosts_changed(vmp__greedy *g, size_t h);
void vmp__greedy_item_changed(vmp__greedy *g, size_t i);

/* Sorts items[0..n) in place into the item order of `rule` (priority,
 * restriction, decreasing size; index last, so the order is total). */
void vmp__greedy_sort(vmp__greedy *g, int rule, uint32_t *items, size_t n);

/* Flags of vmp__greedy_insert. */
enum {
  VMP__GREEDY_KEEP_ORDER = 1,  /* place in the given order, do not sort */
  VMP__GREEDY_STAY = 2         /* first put every item with a current host
                                  back on it where it fits (migrations) */
};

/*
 * Inserts items[0..n) (unplaced items of st; placed or unplaceable ones are
 * skipped) into the partial placement st with rule `rule`: item-centric
 * rules sort them (unless VMP__GREEDY_KEEP_ORDER) and place each in turn;
 * bin-centric rules fill hosts one at a time.  Items that fit nowhere stay
 * unplaced.  Nothing already placed moves.
 *
 * ws may be NULL (a temporary workspace is made: O(items + hosts)); with a
 * workspace it is bound to st and `rule` on return.
 *
 * Returns the number of items placed (>= 0), or VMP_ENOMEM.
 */
int vmp__greedy_insert(vmp__state *st, const uint32_t *items, size_t n,
                       int rule, int flags, vmp__greedy *ws);

/* Soft penalty (weighted, as in the objective) that placing item i on host
 * h would add given where the others are now: soft rules, and soft groups
 * (anti-affinity: one violation per member already in h's domain;
 * affinity: one when placed members exist and none is in h's domain). */
double vmp__greedy_soft_delta(const vmp__state *st, size_t i, size_t h);

#endif /* VMP_PACKING_H */
