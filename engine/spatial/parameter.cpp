#include "engine/spatial/parameter.hpp"

#include "engine/spatial/dict_reader.hpp"
#include "engine/suggest.hpp"
#include "nestling/errors.hpp"

namespace nestling::spatial {

namespace {

struct TypeInfo {
  const char* name;
  ParameterType type;
};
constexpr TypeInfo kTypes[] = {
    {"constant", ParameterType::constant},       {"linear", ParameterType::linear},
    {"exponential", ParameterType::exponential}, {"gaussian", ParameterType::gaussian},
    {"gaussian2D", ParameterType::gaussian2D},   {"gamma", ParameterType::gamma},
    {"uniform", ParameterType::uniform},         {"normal", ParameterType::normal},
    {"lognormal", ParameterType::lognormal},
};

std::string type_list() {
  std::string s;
  for (const auto& t : kTypes) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

// Reads the optional numeric keys of a parameter dictionary into `p`.
class Reader {
 public:
  Reader(const Dict& d, const std::string& path) : d_(d), path_(path) {}
  void get(const char* key, double& out) const {
    if (const Value* v = d_.find(key)) out = read_double(*v, join_path(path_, key));
  }
  void require(const char* key, double& out) const {
    if (!d_.contains(key)) throw UserError(join_path(path_, key), "is required");
    get(key, out);
  }
  void positive(const char* key, double x) const {
    if (!(x > 0)) throw UserError(join_path(path_, key), "must be > 0, got " + format_number(x));
  }
  void below(const char* lo_key, double lo, double hi) const {
    if (!(lo < hi))
      throw UserError(join_path(path_, lo_key), "must be < max (" + format_number(hi) + "), got " + format_number(lo));
  }

 private:
  const Dict& d_;
  const std::string& path_;
};

}  // namespace

namespace {
// Marsaglia's polar method, one deviate per call as NEST's NormalRandomDev.
double standard_normal(Rng& rng) {
  double u, v, s;
  do {
    u = 2.0 * uniform01(rng) - 1.0;
    v = 2.0 * uniform01(rng) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return u * std::sqrt(-2.0 * std::log(s) / s);
}
}  // namespace

double SpatialParameter::draw(Rng& rng) const {
  double v = 0.0;
  switch (type) {
    case ParameterType::uniform:
      return min + uniform01(rng) * range;
    case ParameterType::normal:
      do v = mean + standard_normal(rng) * sigma;
      while (v < min || v >= max);
      return v;
    case ParameterType::lognormal:
      do v = std::exp(mu + standard_normal(rng) * sigma);
      while (v < min || v >= max);
      return v;
    default:
      return 0.0;
  }
}

SpatialParameter constant_parameter(double value) {
  SpatialParameter p;
  p.type = ParameterType::constant;
  p.value = value;
  return p;
}

SpatialParameter parse_parameter(const Value& v, const std::string& path) {
  if (v.is_number() && !v.is_bool()) return constant_parameter(read_double(v, path));
  if (!v.is_dict())
    throw UserError(
        path, "must be a number or a one-key mapping naming the parameter type (" + type_list() + "), got " + v.repr());
  const Dict& outer = v.as_dict();
  if (outer.size() != 1)
    throw UserError(path, "must have exactly one key naming the parameter type (" + type_list() + "), got " +
                              std::to_string(outer.size()) + " keys");
  const auto& [name, body] = *outer.begin();
  const std::string sub = join_path(path, name);
  SpatialParameter p;
  bool known = false;
  for (const auto& t : kTypes)
    if (name == t.name) {
      p.type = t.type;
      known = true;
    }
  if (!known) {
    std::vector<std::string> names;
    for (const auto& t : kTypes) names.push_back(t.name);
    throw UserError(sub, "unknown parameter type" + did_you_mean(name, names) + "; valid: " + type_list());
  }
  const Dict& d = read_dict(body, sub);
  Reader r(d, sub);

  switch (p.type) {
    case ParameterType::constant:
      reject_unknown(d, {"value", "cutoff", "anchor"}, sub, "constant");
      r.require("value", p.value);
      break;
    case ParameterType::linear:
      reject_unknown(d, {"a", "c", "cutoff", "anchor"}, sub, "linear");
      r.get("a", p.a);
      r.get("c", p.c);
      break;
    case ParameterType::exponential:
      reject_unknown(d, {"a", "c", "tau", "cutoff", "anchor"}, sub, "exponential");
      r.get("a", p.a);
      r.get("c", p.c);
      r.get("tau", p.tau);
      r.positive("tau", p.tau);
      break;
    case ParameterType::gaussian:
      reject_unknown(d, {"c", "p_center", "mean", "sigma", "cutoff", "anchor"}, sub, "gaussian");
      r.get("c", p.c);
      r.get("p_center", p.p_center);
      r.get("mean", p.mean);
      r.get("sigma", p.sigma);
      r.positive("sigma", p.sigma);
      break;
    case ParameterType::gaussian2D:
      // NEST 2.20's gaussian2D never reads `cutoff` (it would be silently ignored): reject it.
      if (d.contains("cutoff"))
        throw UserError(join_path(sub, "cutoff"), "is ignored by NEST 2.20's gaussian2D; remove it");
      reject_unknown(d, {"c", "p_center", "mean_x", "mean_y", "sigma_x", "sigma_y", "rho", "anchor"}, sub,
                     "gaussian2D");
      r.get("c", p.c);
      r.get("p_center", p.p_center);
      r.get("mean_x", p.mean_x);
      r.get("mean_y", p.mean_y);
      r.get("sigma_x", p.sigma_x);
      r.get("sigma_y", p.sigma_y);
      r.get("rho", p.rho);
      r.positive("sigma_x", p.sigma_x);
      r.positive("sigma_y", p.sigma_y);
      if (!(p.rho > -1 && p.rho < 1))
        throw UserError(join_path(sub, "rho"), "must lie in (-1, 1), got " + format_number(p.rho));
      break;
    case ParameterType::gamma:
      reject_unknown(d, {"kappa", "theta", "cutoff", "anchor"}, sub, "gamma");
      r.get("kappa", p.kappa);
      r.get("theta", p.theta);
      r.positive("kappa", p.kappa);
      r.positive("theta", p.theta);
      p.inv_theta = 1. / p.theta;
      p.gamma_norm = std::pow(p.inv_theta, p.kappa) / std::tgamma(p.kappa);
      break;
    case ParameterType::uniform:
      reject_unknown(d, {"min", "max", "cutoff", "anchor"}, sub, "uniform");
      r.get("min", p.min);
      r.get("max", p.max);
      r.below("min", p.min, p.max);
      p.range = p.max - p.min;
      break;
    case ParameterType::normal:
    case ParameterType::lognormal: {
      const bool normal = p.type == ParameterType::normal;
      if (normal)
        reject_unknown(d, {"mean", "sigma", "min", "max", "cutoff", "anchor"}, sub, "normal");
      else
        reject_unknown(d, {"mu", "sigma", "min", "max", "cutoff", "anchor"}, sub, "lognormal");
      p.min = -std::numeric_limits<double>::infinity();
      p.max = std::numeric_limits<double>::infinity();
      r.get(normal ? "mean" : "mu", normal ? p.mean : p.mu);
      r.get("sigma", p.sigma);
      r.get("min", p.min);
      r.get("max", p.max);
      r.positive("sigma", p.sigma);
      r.below("min", p.min, p.max);
      break;
    }
  }
  r.get("cutoff", p.cutoff);
  if (const Value* a = d.find("anchor")) {
    p.anchored = true;
    p.anchor = read_point(*a, join_path(sub, "anchor"));
  }
  return p;
}

}  // namespace nestling::spatial
