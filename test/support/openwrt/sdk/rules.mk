# Stand-in for the OpenWrt SDK's rules.mk: only the variables a package Makefile's install
# recipe uses, with the same meanings (include/rules.mk: INSTALL_BIN 0755, INSTALL_DATA
# 0644, INSTALL_CONF 0600; CP keeps modes and symlinks).
INCLUDE_DIR:=$(TOPDIR)/include
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_DATA:=install -m0644
INSTALL_CONF:=install -m0600
CP:=cp -fpR
qstrip=$(strip $(subst ",,$(1)))
