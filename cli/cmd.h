/*
 * cmd.h - the sub-commands of the `sparkmatch` admin command line.
 *
 * Each command lives in cli/cmd_<name>.c and has the signature of main():
 * argv[0] is the command name. It returns the process exit status:
 * 0 success, 1 failure (message already printed), 2 usage error.
 */
#ifndef SPARKMATCH_CLI_CMD_H
#define SPARKMATCH_CLI_CMD_H

int cmd_migrate(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_candidates(int argc, char **argv);
int cmd_solve(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_proposals(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_reject(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_signup_post(int argc, char **argv);

#endif
