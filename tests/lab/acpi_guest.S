/*
 * The boot sector of the lab's --acpi guests (tests/lab/lab.sh holds its
 * bytes; rebuild them with
 *   as --32 -o acpi_guest.o acpi_guest.S
 *   ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o acpi_guest.bin acpi_guest.o
 * and compare with ACPI_BOOT).  A guest sitting in SeaBIOS ignores the
 * ACPI power button, so a shutdown (a stop step, a cold move) would wait
 * for its timeout.  This sector, loaded at 0x7c00 by SeaBIOS on QEMU's
 * i440fx "pc" machine, reads the PIIX4 power management I/O base from PCI
 * configuration space, enables the power button event, halts until the
 * timer interrupt wakes it, and once the button's status bit is set writes
 * SLP_EN with sleep type 0 (soft off) to PM1 control: QEMU powers off.
 */
  .code16
  .text
  .globl _start
_start:
  cli
  xor %ax, %ax
  mov %ax, %ds
  mov %ax, %ss
  mov $0x7c00, %sp
  /* PIIX4 PM (bus 0, device 1, function 3), PMBASE at config offset 0x40 */
  mov $0x0cf8, %dx
  mov $0x80000b40, %eax
  outl %eax, %dx
  mov $0x0cfc, %dx
  inl %dx, %eax
  and $0xffc0, %ax
  mov %ax, %bx
  /* PM1_EN (PMBASE+2): the power button's enable bit */
  lea 2(%bx), %dx
  mov $0x0100, %ax
  outw %ax, %dx
  sti
1:
  hlt
  mov %bx, %dx
  inw %dx, %ax
  test $0x0100, %ax
  jz 1b
  /* PM1_CNT (PMBASE+4): SLP_EN with SLP_TYP 0, soft off */
  lea 4(%bx), %dx
  mov $0x2000, %ax
  outw %ax, %dx
2:
  hlt
  jmp 2b
  . = _start + 510
  .byte 0x55, 0xaa
