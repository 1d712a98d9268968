#pragma once
// Private to net/: the client-side TLS setup shared by the HTTP client and the WebSocket client
// (TLS 1.2+, peer verification against the system store or a CA file, SNI).
#include <boost/asio/ssl/context.hpp>

#include <string>

namespace tzr::net::detail {

// Configures a tls_client context; ec is set when the CA certificates cannot be loaded.
void configure_client_tls(boost::asio::ssl::context& ctx, bool verify_peer, const std::string& ca_file,
                          boost::system::error_code& ec);
// SNI carries host names only (RFC 6066 forbids IP literals): call it for names.
bool set_server_name(SSL* ssl, const std::string& host);

}  // namespace tzr::net::detail
