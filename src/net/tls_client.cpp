#include "net/tls_client.hpp"

#include <openssl/ssl.h>

namespace tzr::net::detail {

void configure_client_tls(boost::asio::ssl::context& ctx, bool verify_peer, const std::string& ca_file,
                          boost::system::error_code& ec) {
  namespace ssl = boost::asio::ssl;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  if (!verify_peer) {
    ctx.set_verify_mode(ssl::verify_none, ec);
    return;
  }
  ctx.set_verify_mode(ssl::verify_peer, ec);
  if (ec) return;
  if (ca_file.empty()) ctx.set_default_verify_paths(ec);
  else ctx.load_verify_file(ca_file, ec);
}

bool set_server_name(SSL* ssl, const std::string& host) {
  // OpenSSL's macro expands to a C-style cast.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
#pragma GCC diagnostic pop
}

}  // namespace tzr::net::detail
