# Stand-in for the SDK's include/package.mk: BuildPackage defines three targets instead of
# building an ipk: `show` prints the package definition, `compile` runs Build/Compile, and
# `install` runs Package/<name>/install into $(DESTDIR).
define BuildPackage
$(eval $(Package/$(1)))
.PHONY: show compile install
show:
	@echo 'TITLE=$$(TITLE)'
	@echo 'DEPENDS=$$(DEPENDS)'
	@echo 'STRIP=$$(STRIP) RSTRIP=$$(RSTRIP)'
	@echo 'CONFFILES=$$(strip $$(Package/$(1)/conffiles))'
	@echo 'VERSION=$$(PKG_VERSION)-r$$(PKG_RELEASE)'
compile:
	$$(Build/Compile)
install:
	$$(call Package/$(1)/install,$$(DESTDIR))
endef
