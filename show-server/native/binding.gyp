{
  "targets": [
    {
      "target_name": "udp_receiver",
      "sources": ["udp-receiver.cc"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra"]
    }
  ]
}
