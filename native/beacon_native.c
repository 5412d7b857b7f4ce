/*
 * What Node cannot do for Beacon (docs/reliability.md, "agents and their terminals"):
 *   markCloseOnExecFrom(fd)  set FD_CLOEXEC on every open descriptor >= fd, so a pty master (node-pty's
 *                            forkpty returns it inheritable) or anything Beacon inherited never reaches an
 *                            agent or any other program Beacon starts;
 *   peerPid(fd)              the process id on the other end of a connected unix socket (SO_PEERCRED on
 *                            Linux, LOCAL_PEERPID on macOS), so the control socket can tell an agent's
 *                            process tree from the person's terminal. -1 where the system cannot say;
 *   pathOf(fd)               where an open directory is now (macOS F_GETPATH; Linux reads /proc without
 *                            this helper), so a working directory is checked by what was opened, not by
 *                            a name that can be swapped for a symlink meanwhile. null where unknown.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <node_api.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif
#if defined(__APPLE__)
#include <sys/param.h>
#include <sys/un.h>
#endif

static int set_cloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  if (flags == -1) return -1;
  if (flags & FD_CLOEXEC) return 0;
  return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* Every descriptor >= from: close_range where the kernel has it (Linux 5.11), else the fd folder. */
static int mark_from(int from) {
#if defined(__linux__) && defined(SYS_close_range)
  if (syscall(SYS_close_range, (unsigned int)from, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) == 0) return 0;
#endif
#if defined(__linux__)
  const char *folder = "/proc/self/fd";
#else
  const char *folder = "/dev/fd";
#endif
  DIR *dir = opendir(folder);
  if (dir) {
    int own = dirfd(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
      char *end = NULL;
      long fd = strtol(entry->d_name, &end, 10);
      if (end == entry->d_name || *end != '\0' || fd < from || fd == own) continue;
      set_cloexec((int)fd);
    }
    closedir(dir);
    return 0;
  }
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (long fd = from; fd < max; fd++) set_cloexec((int)fd);
  return 0;
}

/* The one argument of each function, a file descriptor; otherwise a TypeError naming the function. */
static int fd_arg(napi_env env, napi_callback_info info, int32_t *out, const char *name) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 1 &&
      napi_get_value_int32(env, argv[0], out) == napi_ok && *out >= 0) {
    return 1;
  }
  char message[128];
  snprintf(message, sizeof(message), "%s(fd): fd must be a non-negative integer", name);
  napi_throw_type_error(env, NULL, message);
  return 0;
}

static napi_value js_mark_from(napi_env env, napi_callback_info info) {
  int32_t from = 3;
  if (!fd_arg(env, info, &from, "markCloseOnExecFrom")) return NULL;
  mark_from(from);
  return NULL;
}

static napi_value js_peer_pid(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  napi_value result;
  if (!fd_arg(env, info, &fd, "peerPid")) return NULL;
  int pid = -1;
#if defined(__linux__)
  struct ucred cred;
  socklen_t length = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0) pid = cred.pid;
#elif defined(__APPLE__) && defined(LOCAL_PEERPID)
  pid_t peer = 0;
  socklen_t length = sizeof(peer);
  if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &peer, &length) == 0) pid = peer;
#endif
  napi_create_int32(env, pid > 0 ? pid : -1, &result);
  return result;
}

static napi_value js_path_of(napi_env env, napi_callback_info info) {
  int32_t fd = -1;
  napi_value result;
  if (!fd_arg(env, info, &fd, "pathOf")) return NULL;
#if defined(__APPLE__) && defined(F_GETPATH)
  char path[MAXPATHLEN];
  if (fcntl(fd, F_GETPATH, path) != -1) {
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &result);
    return result;
  }
#endif
  napi_get_null(env, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"markCloseOnExecFrom", NULL, js_mark_from, NULL, NULL, NULL, napi_default, NULL},
    {"peerPid", NULL, js_peer_pid, NULL, NULL, NULL, napi_default, NULL},
    {"pathOf", NULL, js_path_of, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
