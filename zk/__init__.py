"""zk: the proving toolkit (field, circuit DSL, R1CS, Groth16 over BN254, formats)."""
from zk.errors import (
    CircuitDefinitionError,
    MalformedInput,
    SetupError,
    UnsatisfiedConstraint,
    WitnessError,
    ZkError,
)
from zk.frontend import (
    Api,
    Circuit,
    CompiledCircuit,
    Output,
    Param,
    Private,
    Public,
    Var,
    compile_circuit,
)

__all__ = ["Api", "Circuit", "CompiledCircuit", "Output", "Param", "Private", "Public", "Var",
           "compile_circuit", "ZkError", "CircuitDefinitionError", "WitnessError",
           "UnsatisfiedConstraint", "MalformedInput", "SetupError"]
__version__ = "0.1.0"
