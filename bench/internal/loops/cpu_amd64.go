package loops

import "golang.org/x/sys/cpu"

var available = cpu.X86.HasAVX2
