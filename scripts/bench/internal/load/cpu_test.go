package load

import (
	"os"
	"testing"
	"time"
)

// TestProcCPUReadsThisProcess: /proc/PID/stat parses for this process.
func TestProcCPUReadsThisProcess(t *testing.T) {
	if _, err := ProcCPU(1 << 30)(); err == nil {
		t.Error("no error for a process that does not exist")
	}
	self, err := SelfCPU()
	if err != nil {
		t.Fatal(err)
	}
	d, err := ProcCPU(os.Getpid())()
	if err != nil {
		t.Skip("no /proc here:", err)
	}
	if d < 0 || d > self+time.Second {
		t.Errorf("ProcCPU of this process %v, getrusage %v", d, self)
	}
}
