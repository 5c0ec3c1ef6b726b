// nestling._nestling: the Python binding of the tree-driven simulation API
// (include/nestling/tree_simulation.hpp). What is better done in Python (ParamsTree, DataFrames,
// progress bars, plots) lives in the pure-Python package around it.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <sstream>

#include "nestling/errors.hpp"
#include "nestling/simulator.hpp"
#include "nestling/tree_simulation.hpp"

namespace py = pybind11;
using namespace nestling;

namespace {

// --- values: Python objects <-> nestling::Value ---

Value to_value(const py::handle& o);

Dict to_dict(const py::handle& o) {
  Dict d;
  for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(o)) {
    // deNEST trees may name nodes with integers (session 53); the engine keys by their text.
    const std::string key = py::isinstance<py::str>(k) ? k.cast<std::string>() : py::str(k).cast<std::string>();
    d.set(key, to_value(v));
  }
  return d;
}

Value to_value(const py::handle& o) {
  if (o.is_none()) return Value();
  if (py::isinstance<py::bool_>(o)) return Value(o.cast<bool>());
  // numpy scalars and arrays reach us too (e.g. a value from get_status or np.linspace)
  if (py::hasattr(o, "dtype") && py::hasattr(o, "tolist")) return to_value(o.attr("tolist")());
  if (py::isinstance<py::int_>(o)) return Value(o.cast<long long>());
  if (py::isinstance<py::float_>(o)) return Value(o.cast<double>());
  if (py::isinstance<py::str>(o)) return Value(o.cast<std::string>());
  if (py::isinstance<py::dict>(o)) return Value(to_dict(o));
  if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
    List l;
    for (const auto& item : o) l.push_back(to_value(item));
    return Value(std::move(l));
  }
  if (py::hasattr(o, "asdict")) return Value(to_dict(o.attr("asdict")()));  // a ParamsTree
  throw py::type_error("nestling: cannot pass a " + py::str(o.get_type().attr("__name__")).cast<std::string>() +
                       " to the engine (use None, bool, int, float, str, list, tuple or dict)");
}

py::object to_python(const Value& v) {
  switch (v.type()) {
    case ValueType::null: return py::none();
    case ValueType::boolean: return py::bool_(v.as_bool());
    case ValueType::integer: return py::int_(v.as_int());
    case ValueType::real: return py::float_(v.as_double());
    case ValueType::string: return py::str(v.as_string());
    case ValueType::list: {
      py::list l;
      for (const Value& item : v.as_list()) l.append(to_python(item));
      return l;
    }
    case ValueType::dict: {
      py::dict d;
      for (const auto& e : v.as_dict()) d[py::str(e.first)] = to_python(e.second);
      return d;
    }
  }
  return py::none();
}

template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

TreeOptions options_from(const py::dict& o) {
  TreeOptions t;
  if (o.contains("output_dir") && !o["output_dir"].is_none()) t.output_dir = py::str(o["output_dir"]).cast<std::string>();
  if (o.contains("input_dir") && !o["input_dir"].is_none()) t.input_dir = py::str(o["input_dir"]).cast<std::string>();
  if (o.contains("threads") && !o["threads"].is_none()) t.threads = o["threads"].cast<int>();
  if (o.contains("seed") && !o["seed"].is_none()) t.seed = o["seed"].cast<long long>();
  if (o.contains("force")) t.force = o["force"].cast<bool>();
  if (o.contains("validate_only")) t.validate_only = o["validate_only"].cast<bool>();
  return t;
}

// The simulation plus the log its warnings go to (handed to Python's logging by the caller).
struct PySimulation {
  std::unique_ptr<std::ostringstream> log = std::make_unique<std::ostringstream>();
  std::optional<TreeSimulation> sim;

  std::string take_log() {
    std::string s = log->str();
    log->str("");
    return s;
  }

  // Runs `step` without the GIL. Every ~0.1 s the progress callback takes the GIL, lets Python
  // run its signal handlers (Ctrl-C) and calls `progress`; a pending exception stops the run at
  // the next slice boundary and is raised once the outputs are in place.
  bool run_releasing_gil(const std::function<bool(TreeSimulation&)>& step, const py::object& progress) {
    py::object error_type, error_value, error_trace;  // what Python raised meanwhile
    sim->set_progress([&](std::size_t session, double time_ms) {
      py::gil_scoped_acquire gil;
      if (error_type) return;
      try {
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (!progress.is_none()) progress(session, time_ms);
      } catch (py::error_already_set& e) {
        error_type = e.type();
        error_value = e.value();
        error_trace = e.trace();
        sim->request_stop();
      }
    });
    bool done = false;
    {
      py::gil_scoped_release release;
      done = step(*sim);
    }
    sim->set_progress(nullptr);
    if (error_type) {
      PyErr_Restore(error_type.release().ptr(), error_value.release().ptr(), error_trace.release().ptr());
      throw py::error_already_set();
    }
    return done;
  }
};

py::dict layer_dict(const LayerInfo& l) {
  py::dict d;
  d["name"] = l.name;
  d["id"] = l.id;
  d["input_layer"] = l.input_layer;
  d["rows"] = l.rows;
  d["columns"] = l.columns;
  d["extent"] = py::make_tuple(l.extent[0], l.extent[1]);
  d["center"] = py::make_tuple(l.center[0], l.center[1]);
  d["edge_wrap"] = l.edge_wrap;
  py::list pops;
  for (const auto& p : l.populations) {
    py::dict pd;
    pd["name"] = p.name;
    pd["units_per_position"] = p.units_per_position;
    pd["size"] = p.size;
    pd["first_id"] = p.first_id;
    pops.append(pd);
  }
  d["populations"] = pops;
  return d;
}

}  // namespace

PYBIND11_MODULE(_nestling, m) {
  m.doc() = "nestling's engine, driven from Python (see the nestling package)";

  // Bad input: a ValueError whose message names the file and the tree path.
  static py::exception<UserError> user_error(m, "NestlingError", PyExc_ValueError);
  static py::exception<IntegrationError> integration_error(m, "IntegrationError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const UserError& e) {
      user_error(e.what());
    } catch (const IntegrationError& e) {
      integration_error(e.what());
    } catch (const Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    }
  });

  py::class_<PySimulation>(m, "TreeSimulation")
      .def_static(
          "load",
          [](const std::vector<std::string>& paths, const py::list& overrides, const py::dict& options) {
            std::vector<Dict> dicts;
            for (const auto& o : overrides) dicts.push_back(to_dict(o));
            auto s = std::make_unique<PySimulation>();
            TreeOptions t = options_from(options);
            t.log = s->log.get();
            s->sim.emplace(TreeSimulation::load(paths, dicts, t));
            return s;
          },
          py::arg("paths"), py::arg("overrides"), py::arg("options"))
      .def_static(
          "from_dict",
          [](const py::dict& tree, const std::vector<std::pair<std::string, std::string>>& origins,
             const py::dict& options) {
            auto s = std::make_unique<PySimulation>();
            TreeOptions t = options_from(options);
            t.log = s->log.get();
            const Dict d = to_dict(tree);
            s->sim.emplace(TreeSimulation::from_dict(d, origins, t));
            return s;
          },
          py::arg("tree"), py::arg("origins"), py::arg("options"))
      .def("take_log", &PySimulation::take_log, "warnings and per-session lines written since the last call")
      .def("layers",
           [](PySimulation& s) {
             py::list out;
             for (const auto& l : s.sim->layers()) out.append(layer_dict(l));
             return out;
           })
      .def("projections",
           [](PySimulation& s) {
             py::list out;
             for (const auto& p : s.sim->projections()) {
               py::dict d;
               d["name"] = p.name;
               d["model"] = p.model;
               d["source_layer"] = p.source_layer;
               d["source_population"] = p.source_population.empty() ? py::object(py::none()) : py::str(p.source_population);
               d["target_layer"] = p.target_layer;
               d["target_population"] = p.target_population.empty() ? py::object(py::none()) : py::str(p.target_population);
               d["synapse_model"] = p.synapse_model;
               d["connections"] = p.connections;
               d["multisynapse"] = p.multisynapse;
               out.append(d);
             }
             return out;
           })
      .def("gids",
           [](PySimulation& s, const std::string& layer, std::optional<std::string> population,
              std::optional<std::array<long, 2>> location, std::optional<long> unit) {
             return s.sim->gids(layer, population, location, unit);
           },
           py::arg("layer"), py::arg("population") = py::none(), py::arg("location") = py::none(),
           py::arg("unit") = py::none())
      .def("location", [](PySimulation& s, NodeId n) { return s.sim->location(n); })
      .def("positions",
           [](PySimulation& s, const std::vector<NodeId>& nodes) {
             py::array_t<double> a({static_cast<py::ssize_t>(nodes.size()), static_cast<py::ssize_t>(2)});
             auto r = a.mutable_unchecked<2>();
             for (std::size_t i = 0; i < nodes.size(); ++i) {
               const auto p = s.sim->position(nodes[i]);
               r(i, 0) = p[0];
               r(i, 1) = p[1];
             }
             return a;
           })
      .def("connections",
           [](PySimulation& s, const std::vector<NodeId>& sources, const std::vector<NodeId>& targets,
              const std::string& synapse_model) {
             ConnectionArrays c;
             {
               py::gil_scoped_release release;
               c = s.sim->connections({sources, targets, synapse_model});
             }
             py::dict d;
             d["source"] = to_array(c.sources);
             d["target"] = to_array(c.targets);
             d["weight"] = to_array(c.weights);
             d["delay"] = to_array(c.delays);
             d["receptor"] = to_array(c.receptors);
             d["synapse_model_index"] = to_array(c.synapse_model_index);
             d["synapse_models"] = c.synapse_models;
             return d;
           },
           py::arg("sources"), py::arg("targets"), py::arg("synapse_model"))
      .def("get_status", [](PySimulation& s, NodeId n) { return to_python(Value(s.sim->get_status(n))); })
      .def("get_status_key",
           [](PySimulation& s, const std::vector<NodeId>& nodes, const std::string& key) {
             py::list out;
             for (const Value& v : s.sim->get_status(nodes, key)) out.append(to_python(v));
             return out;
           })
      .def("set_status",
           [](PySimulation& s, const std::vector<NodeId>& nodes, const py::dict& values) {
             s.sim->set_status(nodes, to_dict(values));
           })
      .def("sessions",
           [](PySimulation& s) {
             py::list out;
             for (const auto& x : s.sim->sessions()) {
               py::dict d;
               d["name"] = x.name;
               d["model"] = x.model;
               d["start"] = x.start_ms;
               d["end"] = x.end_ms;
               d["record"] = x.record;
               out.append(d);
             }
             return out;
           })
      .def("sessions_run", [](PySimulation& s) { return s.sim->sessions_run(); })
      .def("run",
           [](PySimulation& s, const py::object& progress) {
             return s.run_releasing_gil([](TreeSimulation& t) { return t.run(); }, progress);
           },
           py::arg("progress") = py::none())
      .def("run_next_session",
           [](PySimulation& s, const py::object& progress) {
             return s.run_releasing_gil([](TreeSimulation& t) { return t.run_next_session(); }, progress);
           },
           py::arg("progress") = py::none())
      .def("finish", [](PySimulation& s) { s.sim->finish(); })
      .def("output_dir", [](PySimulation& s) { return s.sim->output_dir(); })
      .def("time", [](PySimulation& s) { return s.sim->time_ms(); })
      .def("tree_yaml", [](PySimulation& s) { return s.sim->tree_yaml(); });
}
