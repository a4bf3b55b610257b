# sparkmatch - mentor-mentee matching service.
#
#   make            build libsparkmatch, sparkmatchd and sparkmatch
#   make demo       install what is missing, start a private PostgreSQL, run a matching
#   make check      install what is missing, build, run every test against a private PostgreSQL
#   make asan       the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   make valgrind   the unit tests under valgrind (leak check)
#   make bench      solver benchmarks against the reference solvers (not part of check)
#   make install    PREFIX=/usr/local DESTDIR= honoured
#   make clean      remove build outputs (make distclean also removes var/)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share/sparkmatch
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(PREFIX)/etc
UNITDIR ?= $(PREFIX)/lib/systemd/system

BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

PKGS := libpq libevent libevent_pthreads libcjson libcrypto libcurl
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CRITERION_LIBS = $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null)

OPT ?= -O2
CFLAGS ?= $(OPT) -g
WARNINGS := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wpointer-arith -Wvla \
	-Wwrite-strings -Wundef -Wimplicit-fallthrough -Wnull-dereference
override CFLAGS += -std=c17 -pthread $(WARNINGS) -MMD -MP
override CPPFLAGS += -D_GNU_SOURCE -Ilib -I$(BUILD) $(PKG_CFLAGS)
LDLIBS += $(PKG_LIBS) -lm -pthread

ifeq ($(SANITIZE),1)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(sort $(wildcard lib/*.c))
DAEMON_SRC := $(sort $(wildcard daemon/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TESTSUP_SRC := $(sort $(wildcard tests/support/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TESTSUP_OBJ := $(TESTSUP_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

LIBSM := $(BUILD)/libsparkmatch.a
SPARKMATCHD := $(BUILD)/sparkmatchd
SPARKMATCH := $(BUILD)/sparkmatch

.PHONY: all deps deps-bench check test asan valgrind demo demo-stop bench install uninstall clean distclean
.DEFAULT_GOAL := all

all: $(if $(DAEMON_SRC),$(SPARKMATCHD)) $(SPARKMATCH)

# Hot loops (scoring, solvers) are built at -O3 so the compiler vectorises them.
$(BUILD)/lib/score.o $(BUILD)/lib/price.o $(BUILD)/lib/flow.o: OPT = -O3

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Install paths compiled into the binaries; rewritten only when PREFIX & co change,
# so `make install PREFIX=...` after `make` rebuilds exactly what depends on them.
$(BUILD)/buildconf.h: FORCE
	@mkdir -p $(@D)
	@printf '#define SPARKMATCH_DATADIR "%s"\n#define SPARKMATCH_SYSCONFDIR "%s"\n' \
		'$(DATADIR)' '$(SYSCONFDIR)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/lib/paths.o: $(BUILD)/buildconf.h

.PHONY: FORCE
FORCE:

$(LIBSM): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SPARKMATCHD): $(DAEMON_OBJ) $(LIBSM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(DAEMON_OBJ) $(LIBSM) $(LDLIBS)

$(SPARKMATCH): $(CLI_OBJ) $(LIBSM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBSM) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TESTSUP_OBJ) $(LIBSM)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TESTSUP_OBJ) $(LIBSM) $(LDLIBS) $(CRITERION_LIBS)

$(BUILD)/tests/%.o $(TESTSUP_OBJ): override CPPFLAGS += -Itests/support

# The packages are checked on every demo/check run; apt-get runs only when one is missing.
deps:
	@scripts/deps.sh build test demo

deps-bench:
	@scripts/deps.sh build bench

check: deps
	$(MAKE) all tests
	scripts/run-tests.sh $(BUILD)

.PHONY: tests
tests: $(TEST_BIN)

test: check

asan: deps
	$(MAKE) BUILD=build/asan SANITIZE=1 OPT=-O1 all tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		scripts/run-tests.sh build/asan

valgrind: deps
	$(MAKE) BUILD=build/valgrind OPT=-O1 all tests
	VALGRIND=1 scripts/run-tests.sh build/valgrind unit

demo: deps
	$(MAKE) all
	scripts/demo.sh $(BUILD)

demo-stop:
	scripts/pgctl.sh stop var/pg

bench: deps-bench
	$(MAKE) all
	$(MAKE) -C bench run SPARKMATCH=$(CURDIR)/$(SPARKMATCH)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/schema \
		$(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(SYSCONFDIR)/sparkmatch \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR)
	install -m 0755 $(SPARKMATCH) $(DESTDIR)$(BINDIR)/sparkmatch
	install -m 0755 $(SPARKMATCHD) $(DESTDIR)$(SBINDIR)/sparkmatchd
	install -m 0644 schema/*.sql $(DESTDIR)$(DATADIR)/schema/
	if [ -d config/templates ]; then install -m 0644 config/templates/* $(DESTDIR)$(DATADIR)/templates/; fi
	install -m 0644 config/sparkmatch.conf $(DESTDIR)$(SYSCONFDIR)/sparkmatch/sparkmatch.conf.sample
	for m in docs/man/*.[158]; do [ -f "$$m" ] || continue; \
		s=$${m##*.}; install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man$$s/; done
	if [ -f systemd/sparkmatchd.service ]; then sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		systemd/sparkmatchd.service > $(DESTDIR)$(UNITDIR)/sparkmatchd.service; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sparkmatch $(DESTDIR)$(SBINDIR)/sparkmatchd \
		$(DESTDIR)$(UNITDIR)/sparkmatchd.service
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build
	$(MAKE) -C bench clean 2>/dev/null || true

distclean: clean
	-scripts/pgctl.sh stop var/pg 2>/dev/null
	rm -rf var

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
