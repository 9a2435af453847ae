"""Circuit frontend: declarations, variables, the builder API and compilation."""
from zk.frontend.api import Api
from zk.frontend.circuit import Circuit
from zk.frontend.compile import CompiledCircuit, compile_circuit
from zk.frontend.variable import Output, Param, Private, Public, Var

__all__ = ["Api", "Circuit", "CompiledCircuit", "compile_circuit", "Output", "Param", "Private",
           "Public", "Var"]
