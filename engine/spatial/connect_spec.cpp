#include "engine/spatial/connect_spec.hpp"

#include "engine/spatial/dict_reader.hpp"
#include "nestling/errors.hpp"

namespace nestling::spatial {

namespace {

PopulationFilter parse_filter(const Value& v, const std::string& path) {
  const Dict& d = read_dict(v, path);
  reject_unknown(d, {"model", "lid"}, path, "population filter");
  PopulationFilter f;
  if (const Value* m = d.find("model")) f.model = read_string(*m, join_path(path, "model"));
  if (const Value* l = d.find("lid")) {
    f.lid = read_int(*l, join_path(path, "lid"));
    if (f.lid < 1)
      throw UserError(join_path(path, "lid"), "must be >= 1 (depths count from 1), got " + std::to_string(f.lid));
  }
  return f;
}

}  // namespace

ConnectSpec parse_connect_spec(const Dict& d) {
  reject_unknown(d,
                 {"connection_type", "mask", "kernel", "weights", "delays", "synapse_model", "number_of_connections",
                  "allow_autapses", "allow_multapses", "allow_oversized_mask", "sources", "targets"},
                 "", "ConnectLayers");
  ConnectSpec s;
  const Value* type = d.find("connection_type");
  if (!type) throw UserError("connection_type", "is required: convergent or divergent");
  const std::string& t = read_string(*type, "connection_type");
  if (t != "convergent" && t != "divergent")
    throw UserError("connection_type", "must be convergent or divergent, got '" + t + "'");
  s.convergent = t == "convergent";
  if (const Value* v = d.find("mask")) s.mask = parse_mask(*v, "mask");
  if (const Value* v = d.find("kernel")) s.kernel = parse_parameter(*v, "kernel");
  if (const Value* v = d.find("weights")) s.weights = parse_parameter(*v, "weights");
  if (const Value* v = d.find("delays")) s.delays = parse_parameter(*v, "delays");
  if (const Value* v = d.find("synapse_model")) s.synapse_model = read_string(*v, "synapse_model");
  if (const Value* v = d.find("number_of_connections")) {
    const long n = read_int(*v, "number_of_connections");
    if (n < 0) throw UserError("number_of_connections", "cannot be less than zero, got " + std::to_string(n));
    s.number_of_connections = n;
  }
  if (const Value* v = d.find("allow_autapses")) s.allow_autapses = read_bool(*v, "allow_autapses");
  if (const Value* v = d.find("allow_multapses")) s.allow_multapses = read_bool(*v, "allow_multapses");
  if (const Value* v = d.find("allow_oversized_mask")) s.allow_oversized_mask = read_bool(*v, "allow_oversized_mask");
  if (const Value* v = d.find("sources")) s.sources = parse_filter(*v, "sources");
  if (const Value* v = d.find("targets")) s.targets = parse_filter(*v, "targets");
  return s;
}

}  // namespace nestling::spatial
