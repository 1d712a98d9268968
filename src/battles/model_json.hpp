#pragma once
// JSON views of a parsed battle.
//  * compat_json: the reference parser's output (battles.md §2.2), for clients of the old API and
//    for the golden tests against the reference's files.
//  * model_json: the full model of this implementation (ids, flags, healing, deaths, events…),
//    what the battles API serves and the store keeps; from_model_json reads it back.
#include "battles/model.hpp"
#include "core/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace tzr::battles {

boost::json::object compat_json(const ParseOutcome& outcome);
boost::json::object model_json(const ParseOutcome& outcome, bool with_events = true);
Result<ParseOutcome> from_model_json(const boost::json::value& json);

// Reads the reference's JSON (top-level map_patch or inside battle) into our model, as far as
// it carries the facts; used to check that compat_json writes the same document back.
Result<ParseOutcome> from_compat_json(const boost::json::value& json);

}  // namespace tzr::battles
