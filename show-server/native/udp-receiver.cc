// The recorder process's UDP sockets, read in batches (see src/capture/recorder/udp-receiver.ts).
//
// Node's dgram calls into JavaScript once per datagram with a fresh Buffer and a fresh address
// object: at 150 phones that is about 50,000 calls a second. Here libuv polls every socket, a
// check handle reads each ready one with recvmmsg once the poll phase is over, and everything that
// arrived in that turn of the event loop reaches JavaScript in one call and one buffer.
//
// One receiver per process: the recorder loads it on its main thread only.
#include <node_api.h>
#include <uv.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr int kBatch = 64;
// mediasoup sends RTP under its MTU (1500 bytes); a longer datagram is nobody's RTP and is dropped.
constexpr size_t kSlotBytes = 2048;
// Each datagram in read()'s buffer: u32 socket id, i32 size (or -errno), u32 sender's port; LE.
constexpr size_t kRecordHeaderBytes = 12;
// One read() stops near this: a recorder that was held up (every socket full, seconds of 150
// phones) catches up over several turns of the event loop, not in one buffer of hundreds of MB.
constexpr size_t kReadBytesMax = 4 << 20;

struct Receiver;

struct Socket {
  Receiver* receiver;
  uint32_t id;
  int fd;
  bool ready = false;
  int error = 0;
  uv_poll_t poll;
};

struct Receiver {
  napi_env env = nullptr;
  napi_ref onReady = nullptr;
  napi_async_context asyncContext = nullptr;
  uv_check_t check;
  std::unordered_map<uint32_t, Socket*> sockets;
  std::vector<Socket*> ready;
  std::vector<Socket*> draining;
  std::vector<uint8_t> out;
  uint32_t nextId = 1;
  mmsghdr messages[kBatch];
  iovec vectors[kBatch];
  sockaddr_in senders[kBatch];
  uint8_t slots[kBatch][kSlotBytes];
};

napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

napi_value ThrowErrno(napi_env env, const char* what, int error) {
  return Throw(env, std::string(what) + ": " + strerror(error));
}

Receiver* ReceiverOf(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<Receiver*>(data);
}

void AppendRecord(Receiver* r, uint32_t id, int32_t size, uint32_t port, const uint8_t* data) {
  size_t at = r->out.size();
  r->out.resize(at + kRecordHeaderBytes + (size > 0 ? size : 0));
  uint8_t* p = r->out.data() + at;
  memcpy(p, &id, 4);
  memcpy(p + 4, &size, 4);
  memcpy(p + 8, &port, 4);
  if (size > 0) memcpy(p + kRecordHeaderBytes, data, size);
}

void MarkReady(Socket* s) {
  if (s->ready) return;
  s->ready = true;
  s->receiver->ready.push_back(s);
}

void OnReadable(uv_poll_t* handle, int status, int) {
  auto* s = static_cast<Socket*>(handle->data);
  if (status < 0) {
    // libuv reports a failed poll once; stop it so the loop does not spin on a broken socket.
    s->error = status;
    uv_poll_stop(handle);
  }
  MarkReady(s);
}

// Reads one socket until it is empty (or failed, or the read is full), appending every datagram
// to r->out. What is left keeps the socket readable, so the next poll marks it ready again.
void Drain(Receiver* r, Socket* s) {
  if (s->error != 0) {
    AppendRecord(r, s->id, s->error, 0, nullptr);
    return;
  }
  while (r->out.size() < kReadBytesMax) {
    for (int i = 0; i < kBatch; i++) {
      r->vectors[i] = {r->slots[i], kSlotBytes};
      r->messages[i].msg_hdr = {};
      r->messages[i].msg_hdr.msg_iov = &r->vectors[i];
      r->messages[i].msg_hdr.msg_iovlen = 1;
      r->messages[i].msg_hdr.msg_name = &r->senders[i];
      r->messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
    }
    int n = recvmmsg(s->fd, r->messages, kBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      s->error = -errno;
      uv_poll_stop(&s->poll);
      AppendRecord(r, s->id, s->error, 0, nullptr);
      return;
    }
    for (int i = 0; i < n; i++) {
      if (r->messages[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
      AppendRecord(r, s->id, static_cast<int32_t>(r->messages[i].msg_len),
                   ntohs(r->senders[i].sin_port), r->slots[i]);
    }
    if (n < kBatch) return;
  }
}

void OnCheck(uv_check_t* handle) {
  auto* r = static_cast<Receiver*>(handle->data);
  if (r->ready.empty()) return;
  napi_env env = r->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value onReady, result;
  napi_get_reference_value(env, r->onReady, &onReady);
  // make_callback, not call_function: it enters the context, runs microtasks and nextTicks after.
  if (napi_make_callback(env, r->asyncContext, onReady, onReady, 0, nullptr, &result) ==
      napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

// start(onReady): onReady() is called once per turn of the event loop in which datagrams arrived.
napi_value Start(napi_env env, napi_callback_info info) {
  Receiver* r = ReceiverOf(env);
  if (r->onReady != nullptr) return Throw(env, "the UDP receiver is already started");
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_valuetype type;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function)
    return Throw(env, "start(onReady) needs a function");
  napi_create_reference(env, argv[0], 1, &r->onReady);
  napi_value name;
  napi_create_string_utf8(env, "showrec:udp-receiver", NAPI_AUTO_LENGTH, &name);
  napi_value resource;
  napi_create_object(env, &resource);
  napi_async_init(env, resource, name, &r->asyncContext);
  uv_loop_t* loop;
  napi_get_uv_event_loop(env, &loop);
  uv_check_init(loop, &r->check);
  r->check.data = r;
  uv_check_start(&r->check, OnCheck);
  // The sockets' polls keep the process alive while there are takes, not the check.
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->check));
  return nullptr;
}

// open(receiveBufferBytes) -> { id, port }: a UDP socket bound on 127.0.0.1 at a port of the
// kernel's choosing, so nothing else can take it between choosing and binding.
napi_value Open(napi_env env, napi_callback_info info) {
  Receiver* r = ReceiverOf(env);
  if (r->onReady == nullptr) return Throw(env, "start() the UDP receiver before opening sockets");
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t bufferBytes = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &bufferBytes) != napi_ok || bufferBytes <= 0)
    return Throw(env, "open(receiveBufferBytes) needs a positive number");
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, "could not open a UDP socket", errno);
  // The kernel caps this at net.core.rmem_max, as it does for Node's recvBufferSize.
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufferBytes, sizeof bufferBytes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    int error = errno;
    close(fd);
    return ThrowErrno(env, "could not bind a UDP socket on 127.0.0.1", error);
  }
  auto* s = new Socket();
  s->receiver = r;
  s->id = r->nextId++;
  s->fd = fd;
  uv_loop_t* loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &s->poll, fd);
  s->poll.data = s;
  uv_poll_start(&s->poll, UV_READABLE, OnReadable);
  r->sockets[s->id] = s;
  napi_value result, id, port;
  napi_create_object(env, &result);
  napi_create_uint32(env, s->id, &id);
  napi_create_uint32(env, ntohs(address.sin_port), &port);
  napi_set_named_property(env, result, "id", id);
  napi_set_named_property(env, result, "port", port);
  return result;
}

// close(id): what the socket held unread is dropped with it.
napi_value Close(napi_env env, napi_callback_info info) {
  Receiver* r = ReceiverOf(env);
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint32_t id = 0;
  if (argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok)
    return Throw(env, "close(id) needs a socket id");
  auto found = r->sockets.find(id);
  if (found == r->sockets.end()) return nullptr;
  Socket* s = found->second;
  r->sockets.erase(found);
  if (s->ready) {
    for (auto& waiting : r->ready)
      if (waiting == s) waiting = nullptr;
  }
  uv_poll_stop(&s->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->poll), [](uv_handle_t* handle) {
    auto* closed = static_cast<Socket*>(handle->data);
    close(closed->fd);
    delete closed;
  });
  return nullptr;
}

// read() -> Buffer | null: every datagram waiting on the sockets that became readable, as records
// (see kRecordHeaderBytes); null when there is none.
napi_value Read(napi_env env, napi_callback_info) {
  Receiver* r = ReceiverOf(env);
  r->out.clear();
  // Swapped out first: a socket read here may become ready again, for the next turn.
  r->draining.clear();
  r->draining.swap(r->ready);
  size_t i = 0;
  for (; i < r->draining.size() && r->out.size() < kReadBytesMax; i++) {
    Socket* s = r->draining[i];
    if (s == nullptr) continue;
    s->ready = false;
    Drain(r, s);
  }
  // Those not reached go first next turn.
  for (; i < r->draining.size(); i++)
    if (r->draining[i] != nullptr) r->ready.push_back(r->draining[i]);
  napi_value result;
  if (r->out.empty()) {
    napi_get_null(env, &result);
    return result;
  }
  napi_create_buffer_copy(env, r->out.size(), r->out.data(), nullptr, &result);
  return result;
}

napi_value Function(napi_env env, const char* name, napi_callback callback) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &fn);
  return fn;
}

}  // namespace

NAPI_MODULE_INIT() {
  auto* r = new Receiver();
  r->env = env;
  napi_set_instance_data(
      env, r, [](napi_env, void* data, void*) { delete static_cast<Receiver*>(data); }, nullptr);
  napi_set_named_property(env, exports, "start", Function(env, "start", Start));
  napi_set_named_property(env, exports, "open", Function(env, "open", Open));
  napi_set_named_property(env, exports, "close", Function(env, "close", Close));
  napi_set_named_property(env, exports, "read", Function(env, "read", Read));
  return exports;
}
