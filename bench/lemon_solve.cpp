// lemon_solve.cpp - reference solver: the instance as a min-cost flow, solved by LEMON 1.3.1.
//
//   lemon_solve [-a ALGO] [-x] FILE
//
// ALGO: ns-block (NetworkSimplex, BLOCK_SEARCH, LEMON's default), ns-first,
// ns-best, ns-candidate, ns-altering (the other pivot rules), cs (CostScaling,
// its default PARTIAL_AUGMENT), cs-push, cs-augment.
//
// Network: source -> mentee (cap 1, cost 0) -> mentor (cap 1, cost -(score + M))
// -> sink (cap = capacity), plus a source -> sink bypass (cap n, cost 0), with
// supply n at the source. M = max score * min(n, total capacity) + 1 exceeds any
// score difference between two matchings, so a min-cost flow maximises the
// number of matched mentees first and the total score second (exact, 64-bit).
//
// Prints "s <matched> <total>", with -x the "x <mentee> <mentor>" lines, and on
// stderr "c time read=<s> build=<s> solve=<s>": read = parsing the file, build =
// graph and maps, solve = the algorithm's run() only.
#include <lemon/cost_scaling.h>
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

#include "inst.h"

using namespace lemon;

typedef SmartDigraph Graph;
typedef long long Cost;

static void
usage()
{
	std::fprintf(stderr, "usage: lemon_solve [-a ns-block|ns-first|ns-best|ns-candidate|"
	    "ns-altering|cs|cs-push|cs-augment] [-x] FILE\n");
	std::exit(2);
}

int
main(int argc, char **argv)
{
	std::string algo = "ns-block";
	bool print_x = false;
	int opt;

	while ((opt = getopt(argc, argv, "a:x")) != -1) {
		if (opt == 'a')
			algo = optarg;
		else if (opt == 'x')
			print_x = true;
		else
			usage();
	}
	if (optind + 1 != argc)
		usage();

	double t0 = inst_now();
	struct inst *in = inst_read(argv[optind]);
	if (in == NULL)
		return 1;
	double t1 = inst_now();

	long long capsum = 0, maxs = 0;
	for (int32_t j = 0; j < in->m; j++)
		capsum += in->cap[j];
	for (int64_t k = 0; k < in->npairs; k++)
		if (in->score[k] > maxs)
			maxs = in->score[k];
	long long most = capsum < in->n ? capsum : in->n;
	Cost big = maxs * most + 1;
	if (big > 4000000000000000000LL / ((long long)in->n + 1) / 64) {
		std::fprintf(stderr, "lemon_solve: costs would overflow 64 bits\n");
		return 1;
	}

	Graph g;
	g.reserveNode(in->n + in->m + 2);
	g.reserveArc(in->n + in->npairs + in->m + 1);
	Graph::Node src = g.addNode(), snk = g.addNode();
	std::vector<Graph::Node> mentee(in->n), mentor(in->m);
	for (int32_t i = 0; i < in->n; i++)
		mentee[i] = g.addNode();
	for (int32_t j = 0; j < in->m; j++)
		mentor[j] = g.addNode();
	Graph::ArcMap<int> cap(g);
	Graph::ArcMap<Cost> cost(g);
	for (int32_t i = 0; i < in->n; i++) {
		Graph::Arc a = g.addArc(src, mentee[i]);
		cap[a] = 1;
		cost[a] = 0;
	}
	std::vector<Graph::Arc> pair_arc(in->npairs);
	for (int64_t k = 0; k < in->npairs; k++) {
		Graph::Arc a = g.addArc(mentee[in->mentee[k]], mentor[in->mentor[k]]);
		cap[a] = 1;
		cost[a] = -(in->score[k] + big);
		pair_arc[k] = a;
	}
	for (int32_t j = 0; j < in->m; j++) {
		Graph::Arc a = g.addArc(mentor[j], snk);
		cap[a] = in->cap[j];
		cost[a] = 0;
	}
	Graph::Arc bypass = g.addArc(src, snk);
	cap[bypass] = in->n;
	cost[bypass] = 0;
	Graph::ArcMap<int> flow(g);
	double t2 = inst_now(), t3;
	bool optimal;

	if (algo.compare(0, 3, "ns-") == 0) {
		typedef NetworkSimplex<Graph, int, Cost> NS;
		NS::PivotRule rule;
		if (algo == "ns-block")
			rule = NS::BLOCK_SEARCH;
		else if (algo == "ns-first")
			rule = NS::FIRST_ELIGIBLE;
		else if (algo == "ns-best")
			rule = NS::BEST_ELIGIBLE;
		else if (algo == "ns-candidate")
			rule = NS::CANDIDATE_LIST;
		else if (algo == "ns-altering")
			rule = NS::ALTERING_LIST;
		else
			usage();
		NS ns(g);
		ns.upperMap(cap).costMap(cost).stSupply(src, snk, in->n);
		t2 = inst_now();
		optimal = ns.run(rule) == NS::OPTIMAL;
		t3 = inst_now();
		ns.flowMap(flow);
	} else if (algo == "cs" || algo == "cs-push" || algo == "cs-augment") {
		typedef CostScaling<Graph, int, Cost> CS;
		CS::Method method = algo == "cs-push" ? CS::PUSH :
		    algo == "cs-augment" ? CS::AUGMENT : CS::PARTIAL_AUGMENT;
		CS cs(g);
		cs.upperMap(cap).costMap(cost).stSupply(src, snk, in->n);
		t2 = inst_now();
		optimal = cs.run(method) == CS::OPTIMAL;
		t3 = inst_now();
		cs.flowMap(flow);
	} else {
		usage();
	}
	if (!optimal) {
		std::fprintf(stderr, "lemon_solve: %s did not report an optimum\n", algo.c_str());
		return 1;
	}

	long long matched = 0, total = 0;
	std::vector<int32_t> match(in->n, -1);
	for (int64_t k = 0; k < in->npairs; k++) {
		if (flow[pair_arc[k]] > 0) {
			matched++;
			total += in->score[k];
			match[in->mentee[k]] = in->mentor[k];
		}
	}
	std::printf("s %lld %lld\n", matched, total);
	if (print_x)
		for (int32_t i = 0; i < in->n; i++)
			if (match[i] >= 0)
				std::printf("x %d %d\n", i + 1, match[i] + 1);
	std::fprintf(stderr, "c algo lemon-%s M=%lld\n", algo.c_str(), big);
	std::fprintf(stderr, "c time read=%.6f build=%.6f solve=%.6f\n", t1 - t0, t2 - t1, t3 - t2);
	inst_free(in);
	return 0;
}
